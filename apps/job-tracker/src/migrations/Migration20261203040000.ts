import { Migration } from '@mikro-orm/migrations';

/**
 * Per-tenant webhooks: the tenant's signing secret (rotated with a day of grace) and alert
 * address in tenant_settings; registered endpoints with their own secret and event filter; the
 * delivery log learns which endpoint an attempt went to.
 */
export class Migration20261203040000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "tenant_settings" alter column "retention_days" drop not null;`);
    this.addSql(`
      alter table "tenant_settings"
        add column "webhook_secret" text null,
        add column "webhook_previous_secret" text null,
        add column "webhook_previous_until" timestamptz null,
        add column "alert_email" text null;`);
    this.addSql(`
      create table "webhook_endpoint" (
        "id" uuid primary key,
        "tenant" text not null,
        "url" text not null,
        "description" text null,
        "events" text[] not null,
        "secret" text not null,
        "previous_secret" text null,
        "previous_until" timestamptz null,
        "enabled" boolean not null default true,
        "disabled_reason" text null,
        "disabled_at" timestamptz null,
        "failing_since" timestamptz null,
        "created_at" timestamptz not null,
        "updated_at" timestamptz not null
      );`);
    this.addSql(`create index "webhook_endpoint_tenant_idx" on "webhook_endpoint" ("tenant", "created_at");`);
    this.addSql(`alter table "webhook_delivery" add column "endpoint_id" uuid null references "webhook_endpoint" ("id") on delete set null;`);
    this.addSql(`create index "webhook_delivery_endpoint_idx" on "webhook_delivery" ("endpoint_id", "at") where "endpoint_id" is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql('alter table "webhook_delivery" drop column "endpoint_id";');
    this.addSql('drop table if exists "webhook_endpoint";');
    this.addSql(`delete from "tenant_settings" where "retention_days" is null;`);
    this.addSql(`alter table "tenant_settings" drop column "webhook_secret", drop column "webhook_previous_secret", drop column "webhook_previous_until", drop column "alert_email";`);
    this.addSql(`alter table "tenant_settings" alter column "retention_days" set not null;`);
  }
}
