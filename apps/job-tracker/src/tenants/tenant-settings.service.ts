import { Injectable } from '@nestjs/common';
import { CreateRequestContext, EntityManager } from '@mikro-orm/postgresql';

/**
 * The longest retention, 100 years. Longer means nothing in practice and, far enough, a date
 * PostgreSQL cannot compute: 1e9 days made the purge (one query for all tenants) fail for all.
 */
export const MAX_RETENTION_DAYS = 36_500;

/** Why a retention is not one, or null: whole days from 1 to MAX_RETENTION_DAYS. */
export function retentionProblem(days: number): string | null {
  return Number.isInteger(days) && days >= 1 && days <= MAX_RETENTION_DAYS ? null : `must be a whole number of days from 1 to ${MAX_RETENTION_DAYS} (100 years; the purge computes a date from it)`;
}

/** Per-tenant settings (today: retention), set by operators with `npm run keys -- retention`. */
@Injectable()
export class TenantSettingsService {
  constructor(private readonly em: EntityManager) {}

  /** How many days a tenant's finished jobs keep their input and result files. */
  @CreateRequestContext()
  async setRetention(tenant: string, days: number): Promise<void> {
    const problem = retentionProblem(days);
    if (problem) throw new Error(`retention ${problem}`);
    await this.em.getConnection().execute(
      `insert into tenant_settings (tenant, retention_days, updated_at) values (?, ?, now())
       on conflict (tenant) do update set retention_days = excluded.retention_days, updated_at = now()`,
      [tenant, days],
    );
  }
}
