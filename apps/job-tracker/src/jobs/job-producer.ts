import { Inject, Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { JobType, QueuedJob } from '@jobdesk/contracts';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { jobOptions } from '@jobdesk/queue';
import { currentTraceparent } from '@jobdesk/observability';
import type { Job } from './job.entity';
import { Batcher } from './batcher';

type BulkJob = { name: JobType; data: QueuedJob; opts: ReturnType<typeof jobOptions> };

/** Port: hand a committed job to its work queue. */
export abstract class JobProducer {
  abstract enqueue(job: Job): Promise<void>;
  /** Whether the queue still holds the job (reconciler). */
  abstract has(job: Pick<Job, 'id' | 'type'>): Promise<boolean>;
  /** Why the queue gave up on the job without a worker saying so (e.g. it stalled too often), or null. */
  abstract abandoned(job: Pick<Job, 'id' | 'type'>): Promise<string | null>;
  abstract remove(job: Pick<Job, 'id' | 'type'>): Promise<void>;
  /** Whether a worker still holds the job (an attempt of a canceled job runs to its end). */
  abstract running(job: Pick<Job, 'id' | 'type'>): Promise<boolean>;
}

@Injectable()
export class BullJobProducer extends JobProducer {
  private readonly queues: Record<JobType, Queue>;

  constructor(
    @InjectQueue('resume.parse') resume: Queue,
    @InjectQueue('email.send') email: Queue,
    @InjectQueue('noop') noop: Queue,
    @InjectQueue('sms.send') sms: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue('sms.inbound') smsInbound: Queue,
    @InjectQueue('sms.confirm-request') smsConfirm: Queue,
  ) {
    super();
    this.queues = { 'resume.parse': resume, 'email.send': email, 'sms.send': sms, 'sms.inbound': smsInbound, 'sms.confirm-request': smsConfirm, noop };
  }

  enqueue(job: Job): Promise<void> {
    const type = job.type as JobType;
    const data: QueuedJob = { jobId: job.id, tenant: job.tenant, type, input: job.input, correlationId: job.correlationId, attemptBase: job.attemptBase, timeoutMs: job.timeoutMs, traceparent: currentTraceparent() };
    // The BullMQ id is the job id: adding twice is a no-op, which makes re-adding safe.
    return this.adds.submit({
      name: type,
      data,
      opts: jobOptions(type, {
        jobId: job.id,
        backoffFactor: this.config.RETRY_BACKOFF_FACTOR,
        maxAttempts: job.maxAttempts,
        priority: job.priority,
        delayMs: job.runAt ? job.runAt.getTime() - Date.now() : 0,
      }),
    });
  }

  /**
   * Adds that arrive together go out as one addBulk per queue: one Redis round trip (a MULTI
   * pipeline) for the batch instead of one per job. An idle tracker adds each job at once.
   */
  private readonly adds = new Batcher<BulkJob, void>(async (items) => {
    const byType = new Map<JobType, BulkJob[]>();
    for (const it of items) {
      const same = byType.get(it.name);
      if (same) same.push(it);
      else byType.set(it.name, [it]);
    }
    const failed = new Map<JobType, Error>();
    await Promise.all([...byType].map(([type, jobs]) => this.queues[type].addBulk(jobs).catch((e: Error) => void failed.set(type, e))));
    return items.map((it) => failed.get(it.name));
  }, { maxBatch: 100, concurrency: 1 });

  async has(job: Pick<Job, 'id' | 'type'>): Promise<boolean> {
    const q = this.queues[job.type as JobType];
    return !!q && !!(await q.getJob(job.id));
  }

  async abandoned(job: Pick<Job, 'id' | 'type'>): Promise<string | null> {
    const found = await this.queues[job.type as JobType]?.getJob(job.id);
    if (!found || !(await found.isFailed())) return null;
    return found.failedReason || 'the queue gave up on the job';
  }

  async running(job: Pick<Job, 'id' | 'type'>): Promise<boolean> {
    const found = await this.queues[job.type as JobType]?.getJob(job.id);
    return !!found && (await found.isActive());
  }

  async remove(job: Pick<Job, 'id' | 'type'>): Promise<void> {
    await this.queues[job.type as JobType]?.remove(job.id).catch(() => 0);
  }
}
