import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { Pool, PoolClient } from 'pg';
import { z } from 'zod';
import { ErrorCode, GetJobRequest, JobRecord } from '@jobdesk/contracts';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { RpcFailure } from '@jobdesk/messaging';
import { Job } from './job.entity';
import { JobChange } from './job-state-machine';
import { toRecord } from './jobs.service';

const Uuid = z.string().uuid();

/** A change as applyChange writes it: the state machine's, with the timestamps it implies. */
export type AppliedChange = JobChange & { startedAt: Date | null; finishedAt: Date | null; updatedAt: Date };

/** Thrown by insertQueued when the id or the tenant's Idempotency-Key is taken. */
export class DuplicateJobError extends Error {}

const JOB_COLUMNS = [
  'id', 'tenant', 'type', 'status', 'progress', 'attempt', 'max_attempts', 'priority', 'input', 'notify', 'metadata', 'result', 'error',
  'idempotency_key', 'request_hash', 'attempt_base', 'timeout_ms', 'purged_at', 'redeliveries', 'correlation_id',
  'created_at', 'updated_at', 'run_at', 'started_at', 'finished_at',
] as const;
const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

/**
 * The job table's hot paths — the status read every client polls, the insert behind every 202,
 * the update behind every worker event — as single prepared statements on a small pool of its
 * own, mapped straight onto the entity. Through the ORM each was a unit of work: BEGIN, one
 * statement per row, COMMIT, and query building that cost more CPU than PostgreSQL spent
 * (measured: the tracker served about twice the status reads, and the write paths sent one
 * round trip where they sent four or five). Every other write stays with the ORM.
 */
@Injectable()
export class JobStatements implements OnApplicationShutdown {
  private readonly pool: Pool;

  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.pool = new Pool({ connectionString: config.DATABASE_URL, max: Math.max(2, Math.ceil(config.DATABASE_POOL_MAX / 2)) });
    // An idle connection dropped by the server: the pool replaces it on the next query.
    this.pool.on('error', () => undefined);
  }

  async get(req: GetJobRequest): Promise<JobRecord> {
    const job = Uuid.safeParse(req.id).success ? await this.find(req.id, req.tenant) : null;
    if (!job) throw new RpcFailure(ErrorCode.NotFound, `no job ${req.id}`, 404);
    return toRecord(job);
  }

  private async find(id: string, tenant: string): Promise<Job | null> {
    const { rows } = await this.pool.query({ name: 'jobdesk-job-get', text: 'select * from "job" where "id" = $1 and "tenant" = $2', values: [id, tenant] });
    return rows[0] ? this.map(rows[0]) : null;
  }

  /**
   * INSERT the job and its first transition as one statement: atomic without BEGIN/COMMIT, one
   * round trip. `beforeSend` runs once a connection is in hand, just before the statement goes
   * out (the caller's last chance to give up on an expired request).
   */
  async insertQueued(job: Job, beforeSend: () => void = () => undefined): Promise<void> {
    const values = [
      job.id, job.tenant, job.type, job.status ?? 'queued', job.progress ?? 0, job.attempt ?? 0, job.maxAttempts, job.priority ?? 0, json(job.input),
      json(job.notify), json(job.metadata), json(job.result), json(job.error), job.idempotencyKey ?? null, job.requestHash ?? null,
      job.attemptBase ?? 0, job.timeoutMs ?? null, job.purgedAt ?? null, job.redeliveries ?? 0, job.correlationId, job.createdAt, job.updatedAt,
      job.runAt ?? null, job.startedAt ?? null, job.finishedAt ?? null,
    ];
    const text = `with j as (insert into "job" (${JOB_COLUMNS.map((c) => `"${c}"`).join(', ')})
        values (${JOB_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) returning "id", "status", "created_at")
      insert into "job_transition" ("job_id", "from_status", "to_status", "attempt", "event_id", "at")
        select "id", null, "status", 0, null, "created_at" from j`;
    await this.withClient(async (client) => {
      beforeSend();
      try {
        await client.query({ name: 'jobdesk-job-insert', text, values });
      } catch (e) {
        if ((e as { code?: string }).code === '23505') throw new DuplicateJobError((e as Error).message);
        throw e;
      }
    });
  }

  /** The job and its row version (PostgreSQL's xmin), for a compare-and-set in applyChange. */
  async findVersioned(id: string): Promise<{ job: Job; version: string } | null> {
    const { rows } = await this.pool.query({ name: 'jobdesk-job-find-versioned', text: 'select *, xmin::text as "row_version" from "job" where "id" = $1', values: [id] });
    if (!rows[0]) return null;
    const { row_version: version, ...row } = rows[0];
    return { job: this.map(row), version };
  }

  /**
   * Writes a state-machine change to the job, with its transition row when `transition` is
   * given, as one statement. Compare-and-set on the row version read by findVersioned: if
   * anything wrote the row since (a cancel, a retry), nothing is written and null comes back —
   * read again and decide again. `seq` is the new transition's id (the SSE event id).
   */
  async applyChange(id: string, version: string, next: AppliedChange, transition: { from: string; eventId: string } | null): Promise<{ job: Job; seq: number | null } | null> {
    const text = `with u as (
        update "job" set "status" = $3, "attempt" = $4, "progress" = $5,
          "error" = case when $6::boolean then $7::jsonb else "error" end,
          "result" = coalesce($8::jsonb, "result"),
          "started_at" = $9, "finished_at" = $10, "updated_at" = $11
        where "id" = $1 and "xmin" = $2::xid
        returning *),
      t as (insert into "job_transition" ("job_id", "from_status", "to_status", "attempt", "event_id", "at")
        select "id", $12, "status", "attempt", $13, $11 from u where $13::text is not null returning "id")
      select u.*, (select "id" from t)::text as "transition_id" from u`;
    const values = [
      id, version, next.status, next.attempt, next.progress, next.error !== undefined, json(next.error), json(next.result ?? null),
      next.startedAt, next.finishedAt, next.updatedAt, transition?.from ?? null, transition?.eventId ?? null,
    ];
    const { rows } = await this.pool.query({ name: 'jobdesk-job-apply', text, values });
    if (!rows[0]) return null;
    const { transition_id: seq, ...row } = rows[0];
    return { job: this.map(row), seq: seq === null ? null : Number(seq) };
  }

  private map(row: Record<string, unknown>): Job {
    return this.em.fork({ useContext: false }).map(Job, row);
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
