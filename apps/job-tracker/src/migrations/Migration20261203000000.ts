import { Migration } from '@mikro-orm/migrations';

export class Migration20261203000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "job" (
        "id" uuid primary key,
        "tenant" text not null,
        "type" text not null,
        "status" text not null check ("status" in ('queued','processing','completed','failed','canceled')),
        "progress" smallint not null default 0,
        "attempt" integer not null default 0,
        "max_attempts" integer not null,
        "priority" integer not null default 0,
        "input" jsonb not null,
        "notify" jsonb null,
        "metadata" jsonb null,
        "result" jsonb null,
        "error" jsonb null,
        "idempotency_key" text null,
        "correlation_id" text not null,
        "created_at" timestamptz not null,
        "updated_at" timestamptz not null,
        "run_at" timestamptz null,
        "started_at" timestamptz null,
        "finished_at" timestamptz null
      );`);
    this.addSql(`create index "job_tenant_created_idx" on "job" ("tenant", "created_at" desc, "id" desc);`);
    this.addSql(`create index "job_status_updated_idx" on "job" ("status", "updated_at");`);
    this.addSql(`create unique index "job_tenant_idempotency_key_uniq" on "job" ("tenant", "idempotency_key") where "idempotency_key" is not null;`);
    this.addSql(`
      create table "job_transition" (
        "id" bigserial primary key,
        "job_id" uuid not null references "job" ("id") on delete cascade,
        "from_status" text null,
        "to_status" text not null,
        "attempt" integer not null,
        "event_id" text null,
        "at" timestamptz not null
      );`);
    this.addSql(`create index "job_transition_job_idx" on "job_transition" ("job_id", "at");`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "job_transition";');
    this.addSql('drop table if exists "job";');
  }
}
