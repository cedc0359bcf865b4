import { Inject, Injectable, Logger } from '@nestjs/common';
import { CreateRequestContext, EntityManager, LockMode, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import {
  CreateJobRequest,
  ErrorCode,
  GetJobRequest,
  hasTargets,
  isJobType,
  isTerminal,
  JOB_SPECS,
  JobFinishedNotification,
  JobRecord,
  JobStatusChanged,
  Subjects,
  WorkerEvent,
} from '@jobdesk/contracts';
import { EventPublisher, RpcFailure, SUBJECTS } from '@jobdesk/messaging';
import { Metrics } from '@jobdesk/observability';
import { z } from 'zod';
import { Job } from './job.entity';
import { JobTransition } from './job-transition.entity';
import { nextState } from './job-state-machine';
import { JobProducer } from './job-producer';

type CreateJob = z.output<typeof CreateJobRequest>;

@Injectable()
export class JobsService {
  private readonly log = new Logger('jobs');
  private readonly submitted;
  private readonly finished;
  private readonly waitSeconds;

  constructor(
    private readonly em: EntityManager,
    private readonly producer: JobProducer,
    private readonly events: EventPublisher,
    @Inject(SUBJECTS) private readonly subjects: Subjects,
    metrics: Metrics,
  ) {
    this.submitted = metrics.counter('jobdesk_jobs_submitted_total', 'Jobs accepted', ['type']);
    this.finished = metrics.counter('jobdesk_jobs_finished_total', 'Jobs that reached a terminal status', ['type', 'status']);
    this.waitSeconds = metrics.histogram('jobdesk_job_wait_seconds', 'Time from submission to first start', ['type'], [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800]);
  }

  /** Commits the job, then queues it. A queue failure is not the client's problem: the reconciler re-adds it. */
  @CreateRequestContext()
  async create(req: CreateJob): Promise<JobRecord> {
    if (!isJobType(req.type)) throw new RpcFailure(ErrorCode.UnknownJobType, `unknown job type: ${req.type}`, 422);
    const job = this.em.create(Job, {
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
      correlationId: randomUUID(),
    });
    this.em.persist(job);
    this.em.persist(this.em.create(JobTransition, { job, fromStatus: null, toStatus: 'queued', attempt: 0, eventId: null }));
    try {
      await this.em.flush();
    } catch (e) {
      if (!(e instanceof UniqueConstraintViolationException)) throw e;
      // The same create was retried: answer with what is already there.
      this.em.clear();
      const existing = await this.em.findOne(Job, { id: req.id, tenant: req.tenant });
      if (!existing) throw new RpcFailure(ErrorCode.ValidationFailed, 'job id already used', 409);
      return toRecord(existing);
    }
    this.submitted.inc({ type: job.type });
    await this.producer.enqueue(job).catch((e) => this.log.warn(`queue add failed for ${job.id}, reconciler will retry: ${(e as Error).message}`));
    return toRecord(job);
  }

  @CreateRequestContext()
  async get(req: GetJobRequest): Promise<JobRecord> {
    const job = z.string().uuid().safeParse(req.id).success ? await this.em.findOne(Job, { id: req.id, tenant: req.tenant }) : null;
    if (!job) throw new RpcFailure(ErrorCode.NotFound, `no job ${req.id}`, 404);
    return toRecord(job);
  }

  /**
   * Applies one worker event in its own transaction (row locked, so tracker replicas do not
   * interleave on one job), then tells the world. Re-delivered events change nothing but
   * still re-announce a terminal job, in case the process died between commit and announce.
   */
  @CreateRequestContext()
  async applyEvent(event: WorkerEvent): Promise<void> {
    const outcome = await this.em.transactional(async (em) => {
      const job = await em.findOne(Job, { id: event.data.jobId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!job) {
        this.log.warn(`event ${event.type} for unknown job ${event.data.jobId} ignored`);
        return null;
      }
      const from = job.status;
      const change = nextState(job, event);
      if (change) {
        job.status = change.status;
        job.attempt = change.attempt;
        job.progress = change.progress;
        if (change.error !== undefined) job.error = change.error;
        if (change.result) job.result = change.result;
        if (change.status === 'processing' && !job.startedAt) {
          job.startedAt = new Date();
          this.waitSeconds.observe({ type: job.type }, (job.startedAt.getTime() - job.createdAt.getTime()) / 1000);
        }
        if (isTerminal(change.status)) job.finishedAt = new Date();
        if (change.status !== from) {
          em.persist(em.create(JobTransition, { job, fromStatus: from, toStatus: change.status, attempt: change.attempt, eventId: event.id }));
        }
      }
      return { job, changed: !!change, statusChanged: !!change && change.status !== from };
    });
    if (!outcome) return;
    const { job, changed, statusChanged } = outcome;
    if (changed) this.broadcast(job);
    if (statusChanged && isTerminal(job.status)) this.finished.inc({ type: job.type, status: job.status });
    const terminalEvent = event.type === 'job.completed' || (event.type === 'job.failed' && !event.data.willRetry);
    if (isTerminal(job.status) && (statusChanged || terminalEvent)) await this.announceFinished(job);
  }

  private broadcast(job: Job): void {
    const msg: JobStatusChanged = { jobId: job.id, tenant: job.tenant, status: job.status, progress: job.progress, attempts: job.attempt, at: new Date().toISOString() };
    this.events.broadcast(this.subjects.status(job.tenant, job.id), msg);
  }

  private async announceFinished(job: Job): Promise<void> {
    if (!hasTargets(job.notify) || !isTerminal(job.status)) return;
    const n: JobFinishedNotification = {
      // One id per job end: JetStream drops a re-announce within its window, the notifier after it.
      id: `${job.id}.finished`,
      type: 'job.finished',
      version: 1,
      occurredAt: new Date().toISOString(),
      correlationId: job.correlationId,
      data: {
        jobId: job.id,
        tenant: job.tenant,
        type: job.type,
        status: job.status as 'completed' | 'failed' | 'canceled',
        error: job.error,
        result: job.result,
        finishedAt: (job.finishedAt ?? new Date()).toISOString(),
        notify: job.notify,
      },
    };
    await this.events.publish(this.subjects.notify(job.id), n);
  }
}

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
  };
}
