import { Injectable } from '@nestjs/common';
import { CreateRequestContext, EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { DeliveryView, ErrorCode, hasTargets, isTerminal, JobRefRequest, WebhookAttempted } from '@jobdesk/contracts';
import { RpcFailure } from '@jobdesk/messaging';
import { z } from 'zod';
import { Job } from '../jobs/job.entity';
import { JobsService } from '../jobs/jobs.service';
import { WebhookDelivery } from './webhook-delivery.entity';

/** The webhook delivery log (written from notifier's attempt events) and manual redelivery. */
@Injectable()
export class DeliveriesService {
  constructor(
    private readonly em: EntityManager,
    private readonly jobs: JobsService,
  ) {}

  @CreateRequestContext()
  async record(e: WebhookAttempted): Promise<void> {
    const d = e.data;
    if (!(await this.em.count(Job, { id: d.jobId }))) return;
    this.em.persist(
      this.em.create(WebhookDelivery, {
        eventId: e.id,
        jobId: d.jobId,
        tenant: d.tenant,
        messageId: d.messageId,
        url: d.url,
        attempt: d.attempt,
        statusCode: d.statusCode,
        latencyMs: d.latencyMs,
        error: d.error,
        outcome: d.outcome,
        final: d.final,
        at: new Date(e.occurredAt),
      }),
    );
    try {
      await this.em.flush();
    } catch (err) {
      if (!(err instanceof UniqueConstraintViolationException)) throw err; // already stored
    }
  }

  @CreateRequestContext()
  async list(req: JobRefRequest): Promise<DeliveryView[]> {
    await this.owned(req);
    const rows = await this.em.find(WebhookDelivery, { jobId: req.id, tenant: req.tenant }, { orderBy: { at: 'asc', id: 'asc' }, limit: 500 });
    return rows.map((r) => ({
      message_id: r.messageId,
      url: r.url,
      attempt: r.attempt,
      status_code: r.statusCode,
      latency_ms: r.latencyMs,
      error: r.error,
      outcome: r.outcome,
      final: r.final,
      at: r.at.toISOString(),
    }));
  }

  /** Sends a finished job's notification again: same webhook-id, a fresh round of attempts. */
  @CreateRequestContext()
  async redeliver(req: JobRefRequest): Promise<{ redelivery: number }> {
    const job = await this.owned(req);
    if (!isTerminal(job.status)) throw new RpcFailure(ErrorCode.JobNotRetryable, `the job is ${job.status}: there is nothing to redeliver yet`, 409);
    if (!hasTargets(job.notify)) throw new RpcFailure(ErrorCode.ValidationFailed, 'the job has no webhook to deliver to', 409);
    job.redeliveries += 1;
    await this.em.flush();
    await this.jobs.announceFinished(job, job.redeliveries);
    return { redelivery: job.redeliveries };
  }

  private async owned(req: JobRefRequest): Promise<Job> {
    const job = z.string().uuid().safeParse(req.id).success ? await this.em.findOne(Job, { id: req.id, tenant: req.tenant }) : null;
    if (!job) throw new RpcFailure(ErrorCode.NotFound, `no job ${req.id}`, 404);
    return job;
  }
}
