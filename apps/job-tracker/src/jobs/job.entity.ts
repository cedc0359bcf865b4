import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import type { JobError, JobInput, JobStatus, NotifyTargets, ResultRef } from '@jobdesk/contracts';

@Entity({ tableName: 'job' })
@Index({ name: 'job_tenant_created_idx', properties: ['tenant', 'createdAt', 'id'] })
@Index({ name: 'job_status_updated_idx', properties: ['status', 'updatedAt'] })
@Unique({ name: 'job_tenant_idempotency_key_uniq', properties: ['tenant', 'idempotencyKey'] })
export class Job {
  [OptionalProps]?: 'status' | 'progress' | 'attempt' | 'priority' | 'notify' | 'metadata' | 'result' | 'error' | 'idempotencyKey' | 'createdAt' | 'updatedAt' | 'runAt' | 'startedAt' | 'finishedAt' | 'requestHash' | 'attemptBase' | 'timeoutMs' | 'purgedAt' | 'redeliveries';

  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'text' })
  tenant!: string;

  @Property({ type: 'text' })
  type!: string;

  @Property({ type: 'text' })
  status: JobStatus = 'queued';

  @Property({ type: 'smallint' })
  progress = 0;

  /** The attempt the current status refers to (0 before the first start). */
  @Property({ type: 'integer' })
  attempt = 0;

  @Property({ type: 'integer' })
  maxAttempts!: number;

  @Property({ type: 'integer' })
  priority = 0;

  @Property({ type: 'json' })
  input!: JobInput;

  @Property({ type: 'json', nullable: true })
  notify: NotifyTargets | null = null;

  @Property({ type: 'json', nullable: true })
  metadata: Record<string, unknown> | null = null;

  @Property({ type: 'json', nullable: true })
  result: ResultRef | null = null;

  /** A small result's exact bytes (JSON text), kept here instead of a file; never loaded unless asked for. */
  @Property({ type: 'text', nullable: true, lazy: true })
  resultBody: string | null = null;

  @Property({ type: 'json', nullable: true })
  error: JobError | null = null;

  @Property({ type: 'text', nullable: true })
  idempotencyKey: string | null = null;

  /** Fingerprint of the submission, compared when an Idempotency-Key is reused. */
  @Property({ type: 'text', nullable: true })
  requestHash: string | null = null;

  /** Attempts made before the current BullMQ job (manual retries start a new one). */
  @Property({ type: 'integer' })
  attemptBase = 0;

  @Property({ type: 'integer', nullable: true })
  timeoutMs: number | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  purgedAt: Date | null = null;

  /** Manual webhook redeliveries so far (each gets its own round of attempts). */
  @Property({ type: 'integer' })
  redeliveries = 0;

  @Property({ type: 'text' })
  correlationId!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  runAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  startedAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null = null;
}

/**
 * A job as plain data, with the entity's defaults: what the hot paths (JobStatements) read and
 * write. Not an entity instance: MikroORM's prototype setters make every property assignment on
 * one build its change-tracking helper, which cost the tracker more than the row's statement.
 */
export function plainJob(fields: Pick<Job, 'id' | 'tenant' | 'type' | 'maxAttempts' | 'input' | 'correlationId'> & Partial<Job>): Job {
  const now = new Date();
  return {
    status: 'queued', progress: 0, attempt: 0, priority: 0, notify: null, metadata: null, result: null, resultBody: null, error: null,
    idempotencyKey: null, requestHash: null, attemptBase: 0, timeoutMs: null, purgedAt: null, redeliveries: 0,
    createdAt: now, updatedAt: now, runAt: null, startedAt: null, finishedAt: null,
    ...fields,
  };
}
