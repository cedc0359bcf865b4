import { Migration } from '@mikro-orm/migrations';

/** The public API: keys and tenants, idempotency, retries, purge, list filters. */
export class Migration20261203010000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "api_key" (
        "id" text primary key,
        "tenant" text not null,
        "name" text null,
        "hash" text not null,
        "admin" boolean not null default false,
        "created_at" timestamptz not null,
        "revoked_at" timestamptz null
      );`);
    this.addSql(`create index "api_key_tenant_idx" on "api_key" ("tenant");`);
    this.addSql(`alter table "job" add column "request_hash" text null, add column "attempt_base" integer not null default 0, add column "timeout_ms" integer null, add column "purged_at" timestamptz null;`);
    this.addSql(`create index "job_tenant_status_created_idx" on "job" ("tenant", "status", "created_at" desc, "id" desc);`);
    this.addSql(`create index "job_tenant_type_created_idx" on "job" ("tenant", "type", "created_at" desc, "id" desc);`);
    this.addSql(`create index "job_metadata_idx" on "job" using gin ("metadata" jsonb_path_ops);`);
    this.addSql(`create index "job_finished_idx" on "job" ("finished_at") where "finished_at" is not null and "purged_at" is null;`);
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists "job_finished_idx"; drop index if exists "job_metadata_idx"; drop index if exists "job_tenant_type_created_idx"; drop index if exists "job_tenant_status_created_idx";');
    this.addSql('alter table "job" drop column "request_hash", drop column "attempt_base", drop column "timeout_ms", drop column "purged_at";');
    this.addSql('drop table if exists "api_key";');
  }
}
