import { Migration } from '@mikro-orm/migrations';

/** Per-tenant settings: how long finished jobs keep their files. */
export class Migration20261203030000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "tenant_settings" ("tenant" text primary key, "retention_days" numeric not null check ("retention_days" > 0), "updated_at" timestamptz not null);`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "tenant_settings";');
  }
}
