import { Migration } from '@mikro-orm/migrations';

/** Conversations by text: per-tenant rules, opt-outs, and the state the SMS rules keep. */
export class Migration20261203050000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "sms_config" ("tenant" text primary key, "config" jsonb not null, "auth_token" text null, "updated_at" timestamptz not null);`);
    this.addSql(`create table "sms_opt_out" ("tenant" text not null, "phone" text not null, "opted_out" boolean not null, "updated_at" timestamptz not null, primary key ("tenant", "phone"));`);
    // One row per handled inbound message: what it did, so a re-run returns the same outcome.
    this.addSql(`
      create table "sms_inbound" (
        "job_id" uuid primary key references "job" ("id") on delete cascade,
        "tenant" text not null,
        "phone" text not null,
        "action" text not null,
        "outcome" jsonb not null,
        "at" timestamptz not null
      );`);
    this.addSql(`
      create table "sms_confirmation" (
        "id" uuid primary key references "job" ("id") on delete cascade,
        "tenant" text not null,
        "phone" text not null,
        "question" text not null,
        "status" text not null check ("status" in ('open','confirmed','declined')),
        "expires_at" timestamptz not null,
        "answered_at" timestamptz null,
        "answer_job_id" uuid null,
        "created_at" timestamptz not null
      );`);
    this.addSql(`create index "sms_confirmation_open_idx" on "sms_confirmation" ("tenant", "phone", "created_at" desc) where "status" = 'open';`);
    this.addSql(`
      create table "sms_rsvp" (
        "tenant" text not null, "event_id" text not null, "phone" text not null,
        "attending" boolean not null, "head_count" integer not null, "job_id" uuid not null, "updated_at" timestamptz not null,
        primary key ("tenant", "event_id", "phone")
      );`);
    this.addSql(`
      create table "sms_coupon" (
        "tenant" text not null, "campaign" text not null, "phone" text not null, "code" text not null,
        "job_id" uuid not null, "issued_at" timestamptz not null, "expires_at" timestamptz not null,
        primary key ("tenant", "campaign", "phone")
      );`);
    this.addSql(`create unique index "sms_coupon_code_uniq" on "sms_coupon" ("tenant", "code");`);
    this.addSql(`create table "sms_feedback" ("job_id" uuid primary key, "tenant" text not null, "phone" text not null, "rating" smallint null, "comment" text not null, "at" timestamptz not null);`);
    this.addSql(`create index "sms_feedback_tenant_idx" on "sms_feedback" ("tenant", "phone", "at");`);
    this.addSql(`
      create table "sms_ticket" (
        "id" uuid primary key, "tenant" text not null, "phone" text not null,
        "status" text not null check ("status" in ('open','answered')),
        "opened_job_id" uuid not null, "created_at" timestamptz not null, "answered_at" timestamptz null
      );`);
    this.addSql(`create index "sms_ticket_phone_idx" on "sms_ticket" ("tenant", "phone", "created_at");`);
    // The conversation view: every text to or from one number, found without scanning the tenant's jobs.
    this.addSql(`create index "job_sms_peer_idx" on "job" ("tenant", (case when "type" = 'sms.inbound' then "input"->'data'->>'from' else "input"->'data'->>'to' end), "created_at") where "type" in ('sms.inbound', 'sms.send', 'sms.confirm-request');`);
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists "job_sms_peer_idx";');
    for (const t of ['sms_ticket', 'sms_feedback', 'sms_coupon', 'sms_rsvp', 'sms_confirmation', 'sms_inbound', 'sms_opt_out', 'sms_config']) this.addSql(`drop table if exists "${t}";`);
  }
}
