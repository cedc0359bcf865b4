import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { ErrorCode, isTenantName, Principal, Subjects, TENANT_NAME_RULE } from '@jobdesk/contracts';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { RpcClient, RpcFailure, SUBJECTS } from '@jobdesk/messaging';
import { setLogContext } from '@jobdesk/observability';
import { ApiProblem } from '../problems/api-problem';
import { RateLimiter } from './rate-limiter';

export const DEV_TENANT = 'default';
const CACHE_MAX = 10_000;

export type AuthedRequest = FastifyRequest & { principal?: Principal; tenant?: string };

/**
 * `Authorization: Bearer <key>` → the key's tenant, asked of job-tracker and cached for
 * API_KEY_CACHE_MS, 30 s (so a revoked key stops working within that). Admin keys may act for a
 * tenant named in `X-Jobdesk-Tenant`. With AUTH_REQUIRED=false every caller is tenant `default`.
 * Long-lived responses (SSE) call `recheck` while they stay open, so they end within the same bound.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly cache = new Map<string, { principal: Principal; until: number }>();
  /** Operator-set keys from API_KEYS, by their SHA-256 (never kept or compared in the clear). */
  private readonly staticKeys = new Map<string, Principal>();

  constructor(
    private readonly rpc: RpcClient,
    private readonly limiter: RateLimiter,
    @Inject(SUBJECTS) private readonly s: Subjects,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    config.API_KEYS.split(',')
      .map((e) => e.trim())
      .filter(Boolean)
      .forEach((entry, i) => {
        const colon = entry.indexOf(':');
        const tenant = colon > 0 ? entry.slice(0, colon) : DEV_TENANT;
        const key = colon > 0 ? entry.slice(colon + 1) : entry;
        this.staticKeys.set(sha256(key), { keyId: `env-${i + 1}`, tenant, admin: false });
      });
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const reply = ctx.switchToHttp().getResponse<FastifyReply>();
    if (!this.config.AUTH_REQUIRED) {
      req.tenant = DEV_TENANT;
      setLogContext({ tenant: req.tenant });
      return true;
    }
    const { principal } = await this.principal(req, reply);
    await this.limiter.take(principal.keyId);
    req.principal = principal;
    req.tenant = this.tenant(req, principal);
    setLogContext({ tenant: req.tenant });
    return true;
  }

  /**
   * For a request this guard let through and that is still being answered: checks its key again,
   * as a new request would be checked now (no rate limit), and throws what that request would
   * get if the key no longer works or no longer acts for the same tenant. Resolves to when the
   * answer may change: the next re-check is worth doing then, not before (Infinity: never).
   */
  async recheck(req: AuthedRequest): Promise<number> {
    if (!this.config.AUTH_REQUIRED) return Infinity;
    const { principal, until } = await this.principal(req);
    if (this.tenant(req, principal) !== req.tenant) throw new ApiProblem(403, ErrorCode.Forbidden, 'the API key no longer acts for this tenant');
    return until;
  }

  private async principal(req: FastifyRequest, reply?: FastifyReply): Promise<{ principal: Principal; until: number }> {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!m) {
      void reply?.header('WWW-Authenticate', 'Bearer realm="jobdesk"');
      throw new ApiProblem(401, ErrorCode.Unauthorized, 'send an API key: Authorization: Bearer <key>');
    }
    return this.lookup(m[1]).catch((e) => {
      if (e instanceof RpcFailure && e.status === 401) void reply?.header('WWW-Authenticate', 'Bearer realm="jobdesk", error="invalid_token"');
      throw e;
    });
  }

  private tenant(req: FastifyRequest, principal: Principal): string {
    const asTenant = req.headers['x-jobdesk-tenant'];
    if (typeof asTenant !== 'string' || asTenant === principal.tenant) return principal.tenant;
    if (!principal.admin) throw new ApiProblem(403, ErrorCode.Forbidden, 'only admin keys may act for another tenant');
    // The name goes into NATS subjects (`>` listened to every tenant's events): keys create's rule.
    if (!isTenantName(asTenant)) throw new ApiProblem(400, ErrorCode.ValidationFailed, `X-Jobdesk-Tenant is not a tenant name: ${TENANT_NAME_RULE}`);
    return asTenant;
  }

  /** The key's principal and until when that answer is kept (operator keys change only with a restart). */
  private async lookup(key: string): Promise<{ principal: Principal; until: number }> {
    const operatorKey = this.staticKeys.get(sha256(key));
    if (operatorKey) return { principal: operatorKey, until: Infinity };
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) return hit;
    const principal = await this.rpc.request<Principal>(this.s.trackerAuthenticate, { key });
    if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
    const entry = { principal, until: Date.now() + this.config.API_KEY_CACHE_MS };
    this.cache.set(key, entry);
    return entry;
  }
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
