import { Injectable } from '@nestjs/common';
import { CreateRequestContext, EntityManager } from '@mikro-orm/postgresql';

/** Per-tenant settings (today: retention), set by operators with `npm run keys -- retention`. */
@Injectable()
export class TenantSettingsService {
  constructor(private readonly em: EntityManager) {}

  /** How many days a tenant's finished jobs keep their input and result files. */
  @CreateRequestContext()
  async setRetention(tenant: string, days: number): Promise<void> {
    if (!(days > 0)) throw new Error('retention must be a positive number of days');
    await this.em.getConnection().execute(
      `insert into tenant_settings (tenant, retention_days, updated_at) values (?, ?, now())
       on conflict (tenant) do update set retention_days = excluded.retention_days, updated_at = now()`,
      [tenant, days],
    );
  }
}
