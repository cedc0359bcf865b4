import { Inject, Injectable, Logger } from '@nestjs/common';
import { CreateRequestContext, EntityManager, LockMode } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import {
  CancelJobRequest,
  CreateJobReply,
  CreateJobRequest,
  ErrorCode,
  hasTargets,
  isJobType,
  isTerminal,
  JOB_SPECS,
  jobEnding,
  JobFinishedNotification,
  JobRecord,
  JobStatusChanged,
  ListJobsReply,
  ListJobsRequest,
  RetryJobRequest,
  Subjects,
  TransitionsRequest,
  TransitionView,
  WorkerEvent,
} from '@jobdesk/contracts';
import { ObjectStorage } from '@jobdesk/storage';
import { EventPublisher, RpcContext, RpcFailure, SUBJECTS } from '@jobdesk/messaging';
import { currentTraceparent, Metrics } from '@jobdesk/observability';
import { z } from 'zod';
import { Job, plainJob } from './job.entity';
import { JobTransition } from './job-transition.entity';
import { canCancel, nextState } from './job-state-machine';
import { decodeCursor, encodeCursor } from './list-cursor';
import { JobProducer } from './job-producer';
import { DuplicateJobError, JobStatements } from './job-statements';
import { WebhooksService } from '../webhooks/webhooks.service';
import { MAX_RETENTION_DAYS } from '../tenants/tenant-settings.service';

type CreateJob = z.output<typeof CreateJobRequest>;
const DEADLINE_MARGIN_MS = 500;
type CancelJob = z.output<typeof CancelJobRequest>;
type ListJobs = z.output<typeof ListJobsRequest>;
type Transitions = z.output<typeof TransitionsRequest>;

@Injectable()
export class JobsService {
  private readonly log = new Logger('jobs');
  private readonly submitted;
  private readonly finished;
  private readonly waitSeconds;

  constructor(
    private readonly em: EntityManager,
    private readonly producer: JobProducer,
    private readonly statements: JobStatements,
    private readonly events: EventPublisher,
    private readonly storage: ObjectStorage,
    @Inject(SUBJECTS) private readonly subjects: Subjects,
    private readonly webhooks: WebhooksService,
    metrics: Metrics,
  ) {
    this.submitted = metrics.counter('jobdesk_jobs_submitted_total', 'Jobs accepted', ['type']);
    this.finished = metrics.counter('jobdesk_jobs_finished_total', 'Jobs that reached a terminal status', ['type', 'status']);
    this.waitSeconds = metrics.histogram('jobdesk_job_wait_seconds', 'Time from submission to first start', ['type'], [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800]);
  }

  /**
   * Commits the job, then queues it. A queue failure is not the client's problem: the
   * reconciler re-adds it. With an Idempotency-Key, the unique index decides the race between
   * concurrent duplicates: one insert wins, the others read and return the winner.
   */
  async create(req: CreateJob, rpc?: Pick<RpcContext, 'afterReply'>): Promise<CreateJobReply> {
    if (!isJobType(req.type)) throw new RpcFailure(ErrorCode.UnknownJobType, `unknown job type: ${req.type}`, 422);
    if (req.idempotency) {
      const earlier = await this.em.fork().findOne(Job, { tenant: req.tenant, idempotencyKey: req.idempotency.key });
      if (earlier) return this.replay(earlier, req);
    }
    // Plain data, never managed: JobStatements writes it (the entity factory cost more than the INSERT).
    const job = plainJob({
      id: req.id,
      tenant: req.tenant,
      type: req.type,
      status: 'queued',
      maxAttempts: req.maxAttempts ?? JOB_SPECS[req.type].policy.attempts,
      priority: req.priority,
      input: req.input,
      notify: req.notify,
      metadata: req.metadata,
      runAt: req.runAt ? new Date(req.runAt) : null,
      timeoutMs: req.timeoutMs,
      idempotencyKey: req.idempotency?.key ?? null,
      requestHash: req.idempotency?.fingerprint ?? null,
      correlationId: randomUUID(),
    });
    // The gateway answers 503 once its wait is over; committing after that would make a job the
    // client was told does not exist (and a retry would make a second one). Checked again once a
    // connection is in hand: waiting for one can outlast the deadline, and the gateway, no longer
    // waiting, looks the job up to tell a lost reply from no job.
    const expired = (what: string) => {
      if (req.deadline && Date.now() > req.deadline - DEADLINE_MARGIN_MS) {
        throw new RpcFailure(ErrorCode.ServiceUnavailable, `the request expired before job-tracker could ${what} it`, 503);
      }
    };
    expired('take');
    try {
      await this.statements.insertQueued(job, () => expired('commit'));
    } catch (e) {
      if (!(e instanceof DuplicateJobError)) throw e;
      const em = this.em.fork();
      const existing = req.idempotency
        ? await em.findOne(Job, { tenant: req.tenant, idempotencyKey: req.idempotency.key })
        : await em.findOne(Job, { id: req.id, tenant: req.tenant });
      if (!existing) throw new RpcFailure(ErrorCode.ValidationFailed, 'job id already used', 409);
      return this.replay(existing, req);
    }
    this.submitted.inc({ type: job.type });
    // The commit is the promise made to the client: the 202 does not wait for the BullMQ add
    // (with Redis down it would hang until Redis is back), nor is the reply held up by its work
    // (after the reply, over RPC). An add that never lands, the reconciler makes again.
    const enqueue = () => void this.producer.enqueue(job).catch((e) => this.log.warn(`queue add failed for ${job.id}, reconciler will retry: ${(e as Error).message}`));
    if (rpc) rpc.afterReply(enqueue);
    else enqueue();
    return { job: toRecord(job), replayed: false };
  }

  private replay(existing: Job, req: CreateJob): CreateJobReply {
    if (existing.id === req.id) return { job: toRecord(existing), replayed: false };
    if (req.idempotency && existing.requestHash !== req.idempotency.fingerprint) {
      throw new RpcFailure(ErrorCode.IdempotencyKeyReused, 'this Idempotency-Key was used with a different request', 422);
    }
    return { job: toRecord(existing), replayed: true };
  }

  @CreateRequestContext()
  async list(req: ListJobs): Promise<ListJobsReply> {
    const where: Record<string, unknown> = { tenant: req.tenant };
    if (req.status?.length) where.status = { $in: req.status };
    if (req.type) where.type = req.type;
    const created: Record<string, Date> = {};
    if (req.createdAfter) created.$gte = new Date(req.createdAfter);
    if (req.createdBefore) created.$lt = new Date(req.createdBefore);
    if (Object.keys(created).length) where.createdAt = created;
    if (req.metadata && Object.keys(req.metadata).length) where.metadata = { $contains: req.metadata };
    if (req.cursor) {
      const c = decodeCursor(req.cursor);
      if (!c) throw new RpcFailure(ErrorCode.InvalidCursor, 'the cursor is not one this API gave out', 400);
      // Keyset pagination: strictly after the last row seen, in (created_at, id) order. The bare
      // `created_at <= c` lets PostgreSQL start the index scan at the cursor (210 ms → 0.1 ms for
      // a deep page of a 1M-job table); the OR then drops the rows already seen at equal times.
      where.createdAt = { ...((where.createdAt as object) ?? {}), $lte: c.createdAt };
      where.$or = [{ createdAt: { $lt: c.createdAt } }, { id: { $lt: c.id } }];
    }
    const rows = await this.em.find(Job, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: req.limit + 1 });
    const page = rows.slice(0, req.limit);
    const last = page.at(-1);
    return { jobs: page.map(toRecord), nextCursor: rows.length > req.limit && last ? encodeCursor(last.createdAt, last.id) : null };
  }

  /** Cancels a queued or running job; with purge, also deletes its input and result (any status). */
  @CreateRequestContext()
  async cancel(req: CancelJob): Promise<JobRecord> {
    const outcome = await this.em.transactional(async (em) => {
      const job = await this.findOwned(em, req.tenant, req.id, true);
      const from = job.status;
      if (canCancel(from)) {
        job.status = 'canceled';
        job.finishedAt = new Date();
        em.persist(em.create(JobTransition, { job, fromStatus: from, toStatus: 'canceled', attempt: job.attempt, eventId: null }));
      } else if (!req.purge) {
        throw new RpcFailure(ErrorCode.JobFinished, `the job already ${job.status}; add ?purge=true to delete its data`, 409);
      }
      if (req.purge) {
        job.purgedAt ??= new Date();
        await em.nativeUpdate(Job, { id: job.id }, { resultBody: null });
      }
      return { job, canceled: canCancel(from) };
    });
    const { job, canceled } = outcome;
    if (canceled) {
      // The worker running an attempt stops it (core NATS: a lost one lets the attempt run to
      // its end, and its late events are ignored — canceled is terminal).
      // A queued job may be running too (an attempt is announced only after STARTED_EVENT_AFTER_MS).
      this.events.broadcast(this.subjects.canceled(job.id), { jobId: job.id });
      await this.producer.remove(job).catch(() => undefined);
      this.broadcast(job, await this.lastSeq(job.id));
      this.finished.inc({ type: job.type, status: 'canceled' });
      await this.announceFinished(job);
    }
    if (req.purge) await this.purgeFiles(job);
    return toRecord(job);
  }

  /** Runs a failed or canceled job again, with a fresh attempt budget. */
  @CreateRequestContext()
  async retry(req: RetryJobRequest): Promise<JobRecord> {
    // A canceled job's attempt stops when its worker hears of the cancel (at once, for a handler
    // that heeds its signal); until then its BullMQ job cannot be replaced and the retry would
    // quietly not run. Say so instead.
    const current = await this.findOwned(this.em.fork(), req.tenant, req.id, false);
    if (current.status === 'canceled' && (await this.producer.running(current))) {
      throw new RpcFailure(ErrorCode.JobNotRetryable, 'the canceled job\'s attempt is still running; retry it once that attempt has stopped', 409);
    }
    const job = await this.em.transactional(async (em) => {
      const job = await this.findOwned(em, req.tenant, req.id, true);
      if (job.status !== 'failed' && job.status !== 'canceled') throw new RpcFailure(ErrorCode.JobNotRetryable, `only failed or canceled jobs can be retried; this one is ${job.status}`, 409);
      if (job.purgedAt) throw new RpcFailure(ErrorCode.Gone, 'the job\'s input was purged; submit it again', 410);
      em.persist(em.create(JobTransition, { job, fromStatus: job.status, toStatus: 'queued', attempt: job.attempt, eventId: null }));
      job.status = 'queued';
      job.attemptBase = job.attempt;
      job.progress = 0;
      job.error = null;
      job.finishedAt = null;
      // A scheduled job canceled before its time keeps its schedule; any other runs now.
      if (!(job.runAt && job.runAt.getTime() > Date.now())) job.runAt = null;
      return job;
    });
    await this.producer.remove(job).catch(() => undefined);
    await this.producer.enqueue(job);
    this.broadcast(job, await this.lastSeq(job.id));
    return toRecord(job);
  }

  @CreateRequestContext()
  async transitions(req: Transitions): Promise<TransitionView[]> {
    await this.findOwned(this.em, req.tenant, req.id, false);
    const rows = await this.em.find(JobTransition, { job: req.id, id: { $gt: String(req.after) } }, { orderBy: { id: 'asc' }, limit: 1000 });
    return rows.map((t) => ({ seq: Number(t.id), from: t.fromStatus, to: t.toStatus, attempt: t.attempt, at: t.at.toISOString() }));
  }

  /**
   * Retention: deletes the input and the result (file or row) of jobs finished longer ago than their tenant's
   * retention (tenant_settings, set with `npm run keys -- retention`), or `defaultDays`.
   */
  @CreateRequestContext()
  async purgeExpired(defaultDays: number, limit = 500): Promise<number> {
    const rows = await this.em.getConnection().execute<{ id: string }[]>(
      `select j.id from job j left join tenant_settings t on t.tenant = j.tenant
        where j.purged_at is null and j.finished_at < now() - interval '1 day' * least(coalesce(t.retention_days, ?), ?)
        order by j.finished_at limit ?`,
      // Bounded here too: one tenant's absurd stored value (out of the date range) made this one
      // query for all tenants fail, and nothing was purged for anyone.
      [defaultDays, MAX_RETENTION_DAYS, limit],
    );
    if (!rows.length) return 0;
    const jobs = await this.em.find(Job, { id: { $in: rows.map((r) => r.id) } });
    for (const job of jobs) {
      await this.purgeFiles(job);
      job.purgedAt = new Date();
    }
    await this.em.nativeUpdate(Job, { id: { $in: jobs.map((j) => j.id) } }, { resultBody: null });
    await this.em.flush();
    return jobs.length;
  }

  private async purgeFiles(job: Job): Promise<void> {
    const keys = [job.input.kind === 'file' ? job.input.file.key : null, job.result?.key ?? null].filter((k): k is string => !!k);
    await Promise.all(keys.map((k) => this.storage.delete(k)));
  }

  private async findOwned(em: EntityManager, tenant: string, id: string, lock: boolean): Promise<Job> {
    const job = z.string().uuid().safeParse(id).success
      ? await em.findOne(Job, { id, tenant }, lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {})
      : null;
    if (!job) throw new RpcFailure(ErrorCode.NotFound, `no job ${id}`, 404);
    return job;
  }

  private async lastSeq(jobId: string): Promise<number | null> {
    const t = await this.em.findOne(JobTransition, { job: jobId }, { orderBy: { id: 'desc' } });
    return t ? Number(t.id) : null;
  }

  /**
   * Applies one worker event: read the job, let the state machine decide, write the change with
   * its transition as one compare-and-set statement (tracker replicas, a cancel or a retry in
   * between make it read and decide again), then tell the world. Re-delivered events change
   * nothing but still re-announce a terminal job, in case the process died between commit and
   * announce. No ORM context: the hot path's statements have their own pool (JobStatements).
   */
  async applyEvent(event: WorkerEvent): Promise<void> {
    for (;;) {
      const seen = await this.statements.findVersioned(event.data.jobId);
      if (!seen) {
        this.log.warn(`event ${event.type} for unknown job ${event.data.jobId} ignored`);
        return;
      }
      const { job, version } = seen;
      const change = nextState(job, event);
      if (!change) {
        await this.dropResultOfCanceled(job, event);
        return this.afterEvent(event, job, false, null);
      }
      const now = new Date();
      // The worker's clock says when the attempt started (job.started, or the end of an attempt
      // too short to announce its start) and when it ended (the event's occurredAt): not when
      // this tracker got round to the event. Never before the job was created, nor ended before it started.
      const reportedStart = 'startedAt' in event.data && event.data.startedAt ? notBefore(new Date(event.data.startedAt), job.createdAt) : null;
      const startedAt = job.startedAt ?? (reportedStart ?? (change.status === 'processing' ? now : null));
      const finishedAt = isTerminal(change.status) ? notBefore(new Date(event.occurredAt), startedAt ?? job.createdAt) : job.finishedAt;
      const statusChanged = change.status !== job.status;
      const written = await this.statements.applyChange(
        job.id,
        version,
        { ...change, startedAt, finishedAt, updatedAt: now },
        statusChanged ? { from: job.status, eventId: event.id } : null,
      );
      if (!written) continue;
      if (startedAt && !job.startedAt) this.waitSeconds.observe({ type: job.type }, (startedAt.getTime() - job.createdAt.getTime()) / 1000);
      return this.afterEvent(event, written.job, true, written.seq);
    }
  }

  /**
   * A worker that finished a job canceled (or purged) while it ran has stored a result nobody may
   * fetch and no retention sweep will find (the row names no result): it is deleted here, so a
   * purged resume does not stay on disk.
   */
  private async dropResultOfCanceled(job: Job, event: WorkerEvent): Promise<void> {
    if (job.status !== 'canceled' || event.type !== 'job.completed') return;
    const key = event.data.result.key;
    if (key !== `results/${job.id}.json` || job.result?.key === key) return;
    await this.storage.delete(key);
  }

  /** `seq`: the id of the transition the event made, null when the status stayed. */
  private async afterEvent(event: WorkerEvent, job: Job, changed: boolean, seq: number | null): Promise<void> {
    const statusChanged = seq !== null;
    if (changed) this.broadcast(job, seq);
    if (statusChanged && isTerminal(job.status)) this.finished.inc({ type: job.type, status: job.status });
    const terminalEvent = event.type === 'job.completed' || (event.type === 'job.failed' && !event.data.willRetry);
    if (isTerminal(job.status) && (statusChanged || terminalEvent)) await this.announceFinished(job);
  }

  /** Ends a job the queue abandoned (its worker died on it repeatedly) as failed, through the state machine. */
  async failLost(jobId: string, attempt: number, reason: string): Promise<void> {
    const job = await this.em.fork().findOne(Job, { id: jobId });
    if (!job) return;
    await this.applyEvent({
      id: `${jobId}.lost.${attempt}`,
      type: 'job.failed',
      version: 1,
      occurredAt: new Date().toISOString(),
      correlationId: job.correlationId,
      data: { jobId, tenant: job.tenant, attempt: Math.max(1, attempt), willRetry: false, error: { code: ErrorCode.WorkerLost, message: `the worker stopped without reporting: ${reason}` } },
    });
  }

  private broadcast(job: Job, seq: number | null): void {
    // The change's own time (its transition is stored with it): a live event and the same one
    // replayed from the history (Last-Event-ID) say the same `at`.
    const at = (job.updatedAt ? new Date(job.updatedAt) : new Date()).toISOString();
    const msg: JobStatusChanged = { jobId: job.id, tenant: job.tenant, status: job.status, progress: job.progress, attempts: job.attempt, at, seq };
    this.events.broadcast(this.subjects.status(job.tenant, job.id), msg);
  }

  /** `msgId`: a re-announce of the same notification that JetStream must not drop as a duplicate (reconciler). */
  async announceFinished(job: Job, redelivery = 0, msgId?: string): Promise<void> {
    if (!isTerminal(job.status)) return;
    const endpoints = await this.webhooks.targetsFor(job.tenant, `job.${job.status as 'completed' | 'failed' | 'canceled'}`);
    if (!hasTargets(job.notify) && endpoints.length === 0) return;
    const finishedAt = job.finishedAt ?? new Date();
    // One id per ending of the job (a retried job ends again): JetStream drops a re-announce of
    // the same ending within its window, the notifier after it.
    const ending = `${job.id}.finished.${jobEnding(finishedAt)}`;
    const n: JobFinishedNotification = {
      id: redelivery ? `${ending}.r${redelivery}` : ending,
      type: 'job.finished',
      version: 1,
      occurredAt: new Date().toISOString(),
      correlationId: job.correlationId,
      traceparent: currentTraceparent(),
      data: {
        jobId: job.id,
        tenant: job.tenant,
        type: job.type,
        status: job.status as 'completed' | 'failed' | 'canceled',
        error: job.error,
        result: job.result,
        finishedAt: finishedAt.toISOString(),
        notify: job.notify ?? {},
        endpoints,
        redelivery,
        // Only the reconciler names the message itself (one re-announce per window).
        ...(msgId ? { reannounced: true } : {}),
      },
    };
    await this.events.publish(this.subjects.notify(job.id), n, msgId ? { msgId } : {});
  }
}

const notBefore = (t: Date, floor: Date): Date => (Number.isNaN(t.getTime()) || t < floor ? floor : t);

export function toRecord(job: Job): JobRecord {
  return {
    id: job.id,
    tenant: job.tenant,
    type: job.type,
    status: job.status,
    progress: job.progress,
    attempts: job.attempt,
    maxAttempts: job.maxAttempts,
    metadata: job.metadata,
    error: job.error,
    result: job.result,
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    runAt: job.runAt?.toISOString() ?? null,
    priority: job.priority,
    purged: !!job.purgedAt,
  };
}
