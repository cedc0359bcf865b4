import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Pool, PoolClient } from 'pg';
import { z } from 'zod';
import { ErrorCode, GetJobRequest, JobRecord, ResultBodyReply } from '@jobdesk/contracts';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { RpcFailure } from '@jobdesk/messaging';
import type { Job } from './job.entity';
import { JobChange } from './job-state-machine';
import { toRecord } from './jobs.service';
import { Batcher } from './batcher';
import { isInvalidInput } from './invalid-input';

const Uuid = z.string().uuid();

/** A change as applyChange writes it: the state machine's, with the timestamps it implies. */
export type AppliedChange = JobChange & { startedAt: Date | null; finishedAt: Date | null; updatedAt: Date };

type PendingChange = { id: string; version: string; next: AppliedChange; transition: { from: string; eventId: string } | null };

/** The unnested arrays of a batch of changes: name, SQL type, value. */
const CHANGE_COLUMNS: Array<[string, string, (c: PendingChange) => unknown]> = [
  ['id', 'uuid', (c) => c.id],
  ['version', 'text', (c) => c.version],
  ['status', 'text', (c) => c.next.status],
  ['attempt', 'int', (c) => c.next.attempt],
  ['progress', 'smallint', (c) => c.next.progress],
  ['set_error', 'boolean', (c) => c.next.error !== undefined],
  ['error', 'jsonb', (c) => json(c.next.error)],
  ['result', 'jsonb', (c) => json(c.next.result ?? null)],
  ['result_body', 'text', (c) => c.next.resultBody ?? null],
  ['started_at', 'timestamptz', (c) => c.next.startedAt],
  ['finished_at', 'timestamptz', (c) => c.next.finishedAt],
  ['updated_at', 'timestamptz', (c) => c.next.updatedAt],
  ['from_status', 'text', (c) => c.transition?.from ?? null],
  ['event_id', 'text', (c) => c.transition?.eventId ?? null],
];

/** Thrown by insertQueued when the id or the tenant's Idempotency-Key is taken. */
export class DuplicateJobError extends Error {}

/** Each column of `job` as insertQueued writes it, with its SQL type (for the unnested arrays). */
const COLUMN_TYPES = {
  id: 'uuid', tenant: 'text', type: 'text', status: 'text', progress: 'smallint', attempt: 'int', max_attempts: 'int', priority: 'int',
  input: 'jsonb', notify: 'jsonb', metadata: 'jsonb', result: 'jsonb', error: 'jsonb', idempotency_key: 'text', request_hash: 'text',
  attempt_base: 'int', timeout_ms: 'int', purged_at: 'timestamptz', redeliveries: 'int', correlation_id: 'text',
  created_at: 'timestamptz', updated_at: 'timestamptz', run_at: 'timestamptz', started_at: 'timestamptz', finished_at: 'timestamptz',
} as const;
type Column = keyof typeof COLUMN_TYPES;
const JOB_COLUMNS = Object.keys(COLUMN_TYPES) as Column[];
/** Every column but `result_body`: a status read never carries the result itself. */
const SELECT_LIST = JOB_COLUMNS.map((c) => `"${c}"`).join(', ');
/** Each column's entity property (`created_at` → `createdAt`). */
const PROPERTY_OF: Record<string, string> = Object.fromEntries(JOB_COLUMNS.map((c) => [c, c.replace(/_([a-z])/g, (_, l: string) => l.toUpperCase())]));
const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

// One job appears once per batch: a job's events are applied one after the other (DurableConsumer).
const APPLY_SQL = `with v as (
    select * from unnest(${CHANGE_COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})
      as v(${CHANGE_COLUMNS.map(([name]) => `"${name}"`).join(', ')})),
  u as (
    update "job" set "status" = v."status", "attempt" = v."attempt", "progress" = v."progress",
      "error" = case when v."set_error" then v."error" else "job"."error" end,
      "result" = coalesce(v."result", "job"."result"),
      "result_body" = coalesce(v."result_body", "job"."result_body"),
      "started_at" = v."started_at", "finished_at" = v."finished_at", "updated_at" = v."updated_at"
    from v
    where "job"."id" = v."id" and "job"."xmin" = v."version"::xid
    returning ${JOB_COLUMNS.map((c) => `"job"."${c}"`).join(', ')}, "job".xmin::text as "row_version", v."from_status" as "v_from", v."event_id" as "v_event"),
  t as (insert into "job_transition" ("job_id", "from_status", "to_status", "attempt", "event_id", "at")
    select "id", "v_from", "status", "attempt", "v_event", "updated_at" from u where "v_event" is not null
    returning "id", "job_id")
  select u.*, t."id"::text as "transition_id" from u left join t on t."job_id" = u."id"`;

const INSERT_VALUE: Record<Column, (j: Job) => unknown> = {
  id: (j) => j.id, tenant: (j) => j.tenant, type: (j) => j.type, status: (j) => j.status ?? 'queued', progress: (j) => j.progress ?? 0,
  attempt: (j) => j.attempt ?? 0, max_attempts: (j) => j.maxAttempts, priority: (j) => j.priority ?? 0, input: (j) => json(j.input),
  notify: (j) => json(j.notify), metadata: (j) => json(j.metadata), result: (j) => json(j.result), error: (j) => json(j.error),
  idempotency_key: (j) => j.idempotencyKey ?? null, request_hash: (j) => j.requestHash ?? null, attempt_base: (j) => j.attemptBase ?? 0,
  timeout_ms: (j) => j.timeoutMs ?? null, purged_at: (j) => j.purgedAt ?? null, redeliveries: (j) => j.redeliveries ?? 0,
  correlation_id: (j) => j.correlationId, created_at: (j) => j.createdAt, updated_at: (j) => j.updatedAt, run_at: (j) => j.runAt ?? null,
  started_at: (j) => j.startedAt ?? null, finished_at: (j) => j.finishedAt ?? null,
};

const INSERT_SQL = `with j as (
    insert into "job" (${JOB_COLUMNS.map((c) => `"${c}"`).join(', ')})
    select * from unnest(${JOB_COLUMNS.map((c, i) => `$${i + 1}::${COLUMN_TYPES[c]}[]`).join(', ')})
    on conflict do nothing
    returning "id", "status", "created_at", xmin::text as "row_version"),
  t as (insert into "job_transition" ("job_id", "from_status", "to_status", "attempt", "event_id", "at")
    select "id", null, "status", 0, null, "created_at" from j)
  select "id", "row_version" from j`;

/**
 * The job table's hot paths — the status read every client polls, the insert behind every 202,
 * the update behind every worker event — as single prepared statements on a small pool of its
 * own, mapped to plain job data. Through the ORM each was a unit of work: BEGIN, one
 * statement per row, COMMIT, and query building that cost more CPU than PostgreSQL spent
 * (measured: the tracker served about twice the status reads, and the write paths sent one
 * round trip where they sent four or five). Every other write stays with the ORM.
 */
@Injectable()
export class JobStatements implements OnApplicationShutdown {
  private readonly pool: Pool;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.pool = new Pool({ connectionString: config.DATABASE_URL, max: Math.max(2, Math.ceil(config.DATABASE_POOL_MAX / 2)) });
    // An idle connection dropped by the server: the pool replaces it on the next query.
    this.pool.on('error', () => undefined);
  }

  async get(req: GetJobRequest): Promise<JobRecord> {
    const job = Uuid.safeParse(req.id).success ? await this.find(req.id, req.tenant) : null;
    if (!job) throw new RpcFailure(ErrorCode.NotFound, `no job ${req.id}`, 404);
    return toRecord(job);
  }

  /** Status reads that arrive together (every client polls) share one SELECT. */
  private find(id: string, tenant: string): Promise<Job | null> {
    return this.gets.submit({ id, tenant });
  }

  private readonly gets = new Batcher<{ id: string; tenant: string }, Job | null>(async (keys) => {
    const { rows } = await this.pool.query({
      name: 'jobdesk-job-get',
      // Each key is matched on both columns below; the SQL narrows by both so no other tenant's row is even read.
      text: `select ${SELECT_LIST} from "job" where "id" = any($1::uuid[]) and "tenant" = any($2::text[])`,
      values: [keys.map((k) => k.id), keys.map((k) => k.tenant)],
    });
    const byKey = new Map(rows.map((r: { id: string; tenant: string }) => [`${r.tenant}/${r.id}`, r]));
    return keys.map((k) => {
      const row = byKey.get(`${k.tenant}/${k.id}`);
      return row ? this.map(row) : null;
    });
  }, { maxBatch: 100, concurrency: 1 });

  /**
   * INSERTs the job and its first transition. Concurrent creates share one statement (group
   * commit: see Batcher), atomic without BEGIN/COMMIT. `beforeSend` runs once a connection
   * is in hand, just before the statement goes out: the caller's last chance to give up on an
   * expired request (what it throws, that job alone gets).
   */
  insertQueued(job: Job, beforeSend: () => void = () => undefined): Promise<void> {
    return this.inserts.submit({ job, beforeSend });
  }

  private readonly inserts = new Batcher<{ job: Job; beforeSend: () => void }, void>((items) => this.insertMany(items), { maxBatch: 100, concurrency: 1 });

  private async insertMany(items: Array<{ job: Job; beforeSend: () => void }>): Promise<Array<void | Error>> {
    return this.withClient(async (client) => {
      const answers: Array<void | Error> = items.map(({ beforeSend }) => {
        try {
          beforeSend();
          return undefined;
        } catch (e) {
          return e as Error;
        }
      });
      const live = items.filter((_, i) => answers[i] === undefined).map((it) => it.job);
      if (!live.length) return answers;
      const inserted = new Map<string, string>();
      try {
        await this.insertRows(client, live, inserted);
      } catch (e) {
        // One job's text PostgreSQL refuses fails the whole statement: the others are fine, so
        // each goes again alone and only that job gets the error (a 422, not the batch's).
        if (!isInvalidInput(e) || live.length === 1) throw e;
        for (const job of live) {
          await this.insertRows(client, [job], inserted).catch((one: unknown) => {
            answers[items.findIndex((it) => it.job === job)] = one as Error;
          });
        }
      }
      for (const job of live) {
        const version = inserted.get(job.id);
        if (version) this.remember(job, version);
      }
      return items.map((it, i) => answers[i] ?? (inserted.has(it.job.id) ? undefined : new DuplicateJobError(`job ${it.job.id} exists`)));
    });
  }

  /** One statement for these jobs; adds each inserted job's row version to `inserted`. */
  private async insertRows(client: PoolClient, jobs: Job[], inserted: Map<string, string>): Promise<void> {
    // One array per column, unnested into rows: one prepared statement for any batch size.
    const columns = JOB_COLUMNS.map((c) => jobs.map((job) => INSERT_VALUE[c](job)));
    const { rows } = await client.query({ name: 'jobdesk-job-insert', text: INSERT_SQL, values: columns });
    // ON CONFLICT DO NOTHING: a job whose id or Idempotency-Key is taken comes back missing.
    for (const r of rows as Array<{ id: string; row_version: string }>) inserted.set(r.id, r.row_version);
  }

  /** The body of a result kept in the job's row, or null (none, purged, or in object storage). */
  async resultBody(req: GetJobRequest): Promise<ResultBodyReply> {
    if (!Uuid.safeParse(req.id).success) throw new RpcFailure(ErrorCode.NotFound, `no job ${req.id}`, 404);
    const { rows } = await this.pool.query({ name: 'jobdesk-job-result-body', text: 'select "result_body" from "job" where "id" = $1 and "tenant" = $2', values: [req.id, req.tenant] });
    if (!rows.length) throw new RpcFailure(ErrorCode.NotFound, `no job ${req.id}`, 404);
    return { body: rows[0].result_body };
  }

  /**
   * The job and its row version (PostgreSQL's xmin), for a compare-and-set in applyChange: as this
   * tracker last wrote it, or read (reads that arrive together share a SELECT). A remembered
   * version that is no longer the row's (a cancel, a retry, another replica) only makes the
   * compare-and-set fail, and the caller reads again.
   */
  findVersioned(id: string): Promise<{ job: Job; version: string } | null> {
    const known = this.written.get(id);
    return known ? Promise.resolve(known) : this.reads.submit(id);
  }

  /**
   * Jobs this tracker created or changed and that have not ended, with their row version: the
   * next worker event for one needs no SELECT (a job's events were a read and a write each; the
   * read is now only for jobs another writer touched). Bounded; the oldest go first.
   */
  private readonly written = new Map<string, { job: Job; version: string }>();
  static readonly REMEMBER = 20_000;

  private remember(job: Job, version: string): void {
    this.written.delete(job.id);
    if (job.status === 'completed' || job.status === 'failed' || job.status === 'canceled') return;
    this.written.set(job.id, { job, version });
    if (this.written.size > JobStatements.REMEMBER) this.written.delete(this.written.keys().next().value!);
  }

  private readonly reads = new Batcher<string, { job: Job; version: string } | null>(async (ids) => {
    const { rows } = await this.pool.query({ name: 'jobdesk-job-find-versioned', text: `select ${SELECT_LIST}, xmin::text as "row_version" from "job" where "id" = any($1::uuid[])`, values: [ids] });
    const byId = new Map<string, { job: Job; version: string }>();
    for (const { row_version: version, ...row } of rows) byId.set(row.id, { job: this.map(row), version });
    return ids.map((id) => byId.get(id) ?? null);
  }, { maxBatch: 100, concurrency: 1 });

  /**
   * Writes a state-machine change to the job, with its transition row when `transition` is
   * given. Compare-and-set on the row version read by findVersioned: if anything wrote the row
   * since (a cancel, a retry), nothing is written and null comes back — read again and decide
   * again. `seq` is the new transition's id (the SSE event id). Changes to different jobs that
   * arrive together share one statement (group commit), as creates do.
   */
  applyChange(id: string, version: string, next: AppliedChange, transition: { from: string; eventId: string } | null): Promise<{ job: Job; seq: number | null } | null> {
    return this.changes.submit({ id, version, next, transition });
  }

  private readonly changes = new Batcher<PendingChange, { job: Job; seq: number | null } | null>((items) => this.applyMany(items), { maxBatch: 100, concurrency: 1 });

  private async applyMany(items: PendingChange[]): Promise<Array<{ job: Job; seq: number | null } | null>> {
    const columns = CHANGE_COLUMNS.map(([, , value]) => items.map((c) => value(c)));
    const { rows } = await this.pool.query({ name: 'jobdesk-job-apply', text: APPLY_SQL, values: columns });
    const byId = new Map<string, { job: Job; seq: number | null }>();
    for (const { transition_id: seq, v_from: _from, v_event: _event, row_version: version, ...row } of rows) {
      const job = this.map(row);
      byId.set(row.id, { job, seq: seq === null ? null : Number(seq) });
      this.remember(job, version);
    }
    // A change that lost its compare-and-set: what we remembered is stale.
    for (const it of items) if (!byId.has(it.id)) this.written.delete(it.id);
    return items.map((it) => byId.get(it.id) ?? null);
  }

  /**
   * A row as plain job data (see plainJob), without the ORM: the columns are the entity's
   * properties in snake_case, and pg has already parsed their types (timestamptz, jsonb,
   * integers). em.map forked an entity manager per row, a sixth of the tracker's CPU under load.
   */
  private map(row: Record<string, unknown>): Job {
    const job: Record<string, unknown> = {};
    for (const column in row) job[PROPERTY_OF[column] ?? column] = row[column];
    return job as unknown as Job;
  }

  private async withClient<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      return await fn(client);
    } finally {
      client.release();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
