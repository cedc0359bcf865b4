import { Migration } from '@mikro-orm/migrations';

/** The webhook delivery log, and a counter for manual redeliveries. */
export class Migration20261203020000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "webhook_delivery" (
        "id" bigserial primary key,
        "event_id" text not null,
        "job_id" uuid not null references "job" ("id") on delete cascade,
        "tenant" text not null,
        "message_id" text not null,
        "url" text not null,
        "attempt" integer not null,
        "status_code" integer null,
        "latency_ms" integer not null,
        "error" text null,
        "outcome" text not null,
        "final" boolean not null,
        "at" timestamptz not null
      );`);
    this.addSql(`create unique index "webhook_delivery_event_uniq" on "webhook_delivery" ("event_id");`);
    this.addSql(`create index "webhook_delivery_job_idx" on "webhook_delivery" ("job_id", "at");`);
    this.addSql(`alter table "job" add column "redeliveries" integer not null default 0;`);
  }

  override async down(): Promise<void> {
    this.addSql('alter table "job" drop column "redeliveries";');
    this.addSql('drop table if exists "webhook_delivery";');
  }
}
