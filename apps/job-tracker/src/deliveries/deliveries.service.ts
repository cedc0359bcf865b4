import { Injectable, Logger } from '@nestjs/common';
import { CreateRequestContext, EntityManager } from '@mikro-orm/postgresql';
import {
  CreateJobRequest,
  DeliveryView,
  EndpointDeliveriesRequest,
  ErrorCode,
  hasTargets,
  isTerminal,
  JobRefRequest,
  WebhookAttempted,
  uuidv7,
} from '@jobdesk/contracts';
import { RpcFailure } from '@jobdesk/messaging';
import { z } from 'zod';
import { Job } from '../jobs/job.entity';
import { JobsService } from '../jobs/jobs.service';
import { EndpointDisabled, WebhooksService } from '../webhooks/webhooks.service';
import { WebhookDelivery } from './webhook-delivery.entity';
import { Batcher } from '../jobs/batcher';

/** A batch of attempts as one JSON array of rows: column, SQL type, value. */
const DELIVERY_COLUMNS: Array<[string, string, (e: WebhookAttempted) => unknown]> = [
  ['event_id', 'text', (e) => e.id],
  ['job_id', 'uuid', (e) => e.data.jobId],
  ['tenant', 'text', (e) => e.data.tenant],
  ['message_id', 'text', (e) => e.data.messageId],
  ['url', 'text', (e) => e.data.url],
  ['endpoint_id', 'uuid', (e) => e.data.endpointId ?? null],
  ['attempt', 'int', (e) => e.data.attempt],
  ['status_code', 'int', (e) => e.data.statusCode ?? null],
  ['latency_ms', 'int', (e) => e.data.latencyMs],
  ['error', 'text', (e) => e.data.error ?? null],
  ['outcome', 'text', (e) => e.data.outcome],
  ['final', 'boolean', (e) => e.data.final],
  ['at', 'timestamptz', (e) => new Date(e.occurredAt)],
];
const DELIVERY_NAMES = DELIVERY_COLUMNS.map(([name]) => `"${name}"`).join(', ');

/** Attempts whose job still exists are inserted (an event already stored is skipped); each says whether its job exists. */
const INSERT_ATTEMPTS = `with v as (
    select *, exists (select 1 from "job" j where j."id" = v."job_id") as "job_exists"
      from jsonb_to_recordset(?::jsonb) as v(${DELIVERY_COLUMNS.map(([name, type]) => `"${name}" ${type}`).join(', ')})),
  ins as (
    insert into "webhook_delivery" (${DELIVERY_NAMES})
    select ${DELIVERY_NAMES} from v where "job_exists"
    on conflict ("event_id") do nothing)
  select "event_id", "job_exists" from v`;

/**
 * The webhook delivery log (written from notifier's attempt events), per job and per endpoint;
 * manual redelivery; and the endpoint health that follows from each attempt.
 */
@Injectable()
export class DeliveriesService {
  private readonly log = new Logger('deliveries');

  constructor(
    private readonly em: EntityManager,
    private readonly jobs: JobsService,
    private readonly webhooks: WebhooksService,
  ) {}

  async record(e: WebhookAttempted): Promise<void> {
    if (!(await this.store(e))) return;
    const off = await this.webhooks.recordAttempt(e);
    if (off) await this.tellTenant(off, e.id);
  }

  /**
   * Stores one attempt (once: a re-delivered event changes nothing); false when its job is gone
   * (purged) and there is nothing to log. Attempts that arrive together share one INSERT (a
   * count and an ORM flush per attempt were the tracker's biggest cost per webhook).
   */
  private store(e: WebhookAttempted): Promise<boolean> {
    return this.inserts.submit(e);
  }

  private readonly inserts = new Batcher<WebhookAttempted, boolean>(async (events) => {
    const batch = JSON.stringify(events.map((e) => Object.fromEntries(DELIVERY_COLUMNS.map(([name, , value]) => [name, value(e)]))));
    const rows = await this.em.getConnection().execute<Array<{ event_id: string; job_exists: boolean }>>(INSERT_ATTEMPTS, [batch]);
    const exists = new Map(rows.map((r) => [r.event_id, r.job_exists]));
    return events.map((e) => exists.get(e.id) ?? false);
  }, { maxBatch: 100, concurrency: 1 });

  /**
   * An endpoint was turned off: tell the tenant at its alert address (an `email.send` job, so it
   * is tracked and retried; keyed by the attempt that caused it, so a re-delivered event sends one).
   */
  private async tellTenant(off: EndpointDisabled, cause: string): Promise<void> {
    const { alert_email } = await this.webhooks.getSettings({ tenant: off.tenant });
    if (!alert_email) {
      this.log.warn(`tenant ${off.tenant} has no alert_email (PUT /v1/webhooks/settings): nobody was emailed about endpoint ${off.endpointId}`);
      return;
    }
    const why = off.reason === 'gone' ? 'it answered 410 Gone, which asks senders to stop' : 'no delivery to it has succeeded for several days';
    const key = `endpoint-disabled:${off.endpointId}:${cause}`;
    await this.jobs.create(
      CreateJobRequest.parse({
      id: uuidv7(),
      tenant: off.tenant,
      type: 'email.send',
      input: {
        kind: 'json',
        data: {
          to: alert_email,
          subject: `jobdesk: webhook endpoint disabled (${new URL(off.url).host})`,
          text: `Your webhook endpoint ${off.url} (${off.endpointId}) was disabled because ${why}.\n\nEvents are no longer sent to it. When it is fixed, turn it back on with PATCH /v1/webhooks/endpoints/${off.endpointId} {"enabled": true}, and redeliver what it missed with POST /v1/jobs/{id}/redeliver.\n`,
        },
      },
      metadata: { webhook_endpoint: off.endpointId, reason: off.reason },
      idempotency: { key, fingerprint: key },
      }),
    );
  }

  @CreateRequestContext()
  async list(req: JobRefRequest): Promise<DeliveryView[]> {
    await this.owned(req);
    const rows = await this.em.find(WebhookDelivery, { jobId: req.id, tenant: req.tenant }, { orderBy: { at: 'asc', id: 'asc' }, limit: 500 });
    return rows.map(toDeliveryView);
  }

  /** One endpoint's attempts, newest first. */
  @CreateRequestContext()
  async listForEndpoint(req: EndpointDeliveriesRequest): Promise<DeliveryView[]> {
    await this.webhooks.getEndpoint(req); // 404 unless it is the tenant's
    const rows = await this.em.find(WebhookDelivery, { endpointId: req.id, tenant: req.tenant }, { orderBy: { at: 'desc', id: 'desc' }, limit: req.limit });
    return rows.map(toDeliveryView);
  }

  /** Sends a finished job's notification again: same webhook-id, a fresh round of attempts. */
  @CreateRequestContext()
  async redeliver(req: JobRefRequest): Promise<{ redelivery: number }> {
    const job = await this.owned(req);
    if (!isTerminal(job.status)) throw new RpcFailure(ErrorCode.JobNotRetryable, `the job is ${job.status}: there is nothing to redeliver yet`, 409);
    const endpoints = await this.webhooks.targetsFor(job.tenant, `job.${job.status}` as never);
    if (!hasTargets(job.notify) && endpoints.length === 0) throw new RpcFailure(ErrorCode.ValidationFailed, 'the job has no webhook to deliver to, and no endpoint wants its event', 409);
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

function toDeliveryView(r: WebhookDelivery): DeliveryView {
  return {
    message_id: r.messageId,
    job_id: r.jobId,
    endpoint_id: r.endpointId,
    url: r.url,
    attempt: r.attempt,
    status_code: r.statusCode,
    latency_ms: r.latencyMs,
    error: r.error,
    outcome: r.outcome,
    final: r.final,
    at: r.at.toISOString(),
  };
}
