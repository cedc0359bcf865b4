import { Migration } from '@mikro-orm/migrations';

/** Small results kept in the job's row (the exact JSON text) instead of a file per job. */
export class Migration20261204000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "job" add column "result_body" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "job" drop column if exists "result_body";`);
  }
}
