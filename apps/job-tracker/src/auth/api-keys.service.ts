import { Injectable } from '@nestjs/common';
import { CreateRequestContext, EntityManager } from '@mikro-orm/postgresql';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ErrorCode, isTenantName, Principal, TENANT_NAME_RULE } from '@jobdesk/contracts';
import { RpcFailure } from '@jobdesk/messaging';
import { ApiKey } from './api-key.entity';

const KEY_SHAPE = /^jdk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/**
 * API keys: `jdk_<id>_<secret>`. The id finds the row; the secret is 256 random bits, so a plain
 * SHA-256 is enough to store it (no slow hash needed against guessing, unlike passwords).
 */
@Injectable()
export class ApiKeysService {
  constructor(private readonly em: EntityManager) {}

  @CreateRequestContext()
  async create(tenant: string, opts: { name?: string; admin?: boolean } = {}): Promise<{ key: string; id: string }> {
    if (!isTenantName(tenant)) throw new Error(`tenant: ${TENANT_NAME_RULE}`);
    const id = randomBytes(9).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 12);
    const secret = randomBytes(32).toString('base64url');
    this.em.persist(this.em.create(ApiKey, { id, tenant, name: opts.name ?? null, admin: !!opts.admin, hash: sha256(secret) }));
    await this.em.flush();
    return { id, key: `jdk_${id}_${secret}` };
  }

  @CreateRequestContext()
  async authenticate(key: string): Promise<Principal> {
    const m = KEY_SHAPE.exec(key);
    const row = m ? await this.em.findOne(ApiKey, { id: m[1], revokedAt: null }) : null;
    if (!row || !m || !timingSafeEqual(Buffer.from(row.hash, 'hex'), Buffer.from(sha256(m[2]), 'hex'))) {
      throw new RpcFailure(ErrorCode.Unauthorized, 'the API key is not valid', 401);
    }
    return { keyId: row.id, tenant: row.tenant, admin: row.admin };
  }

  @CreateRequestContext()
  async revoke(id: string): Promise<boolean> {
    const row = await this.em.findOne(ApiKey, { id });
    if (!row || row.revokedAt) return false;
    row.revokedAt = new Date();
    await this.em.flush();
    return true;
  }

  @CreateRequestContext()
  async list(tenant?: string): Promise<ApiKey[]> {
    return this.em.find(ApiKey, tenant ? { tenant } : {}, { orderBy: { createdAt: 'asc' } });
  }
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
