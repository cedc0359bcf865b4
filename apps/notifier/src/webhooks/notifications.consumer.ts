import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { NatsConnection } from 'nats';
import {
  CreateJobReply,
  CreateJobRequest,
  JobFinishedNotification,
  Subjects,
  WebhookDelivery,
  webhookDeliveryQueueId,
  webhookMessageId,
  WebhookPayload,
  uuidv7,
} from '@jobdesk/contracts';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { DurableConsumer, NATS_CONNECTION, RpcClient, SUBJECTS, validated } from '@jobdesk/messaging';
import { childSpan, currentTraceparent, withLogContext } from '@jobdesk/observability';
import { DELIVERY_PRODUCER } from './delivery-producer';

/** Notifications fanned out at once (each one job's: one subject, so a job's are still in order). */
const FAN_OUT_CONCURRENCY = 32;

/**
 * Finished jobs from JetStream → one delivery job per target on notifier's own queue. The
 * delivery's BullMQ id is derived from the notification, so a re-delivered notification does
 * not send twice, and the `webhook-id` stays the same on every retry.
 */
@Injectable()
export class NotificationsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private consumer?: DurableConsumer;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SUBJECTS) private readonly s: Subjects,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DELIVERY_PRODUCER) private readonly deliveries: Queue,
    private readonly rpc: RpcClient,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = new DurableConsumer(
      this.nc,
      { stream: this.s.streams.notify, durable: this.s.consumers.notifier, concurrency: FAN_OUT_CONCURRENCY },
      validated(JobFinishedNotification, (n) => {
        // In the job's trace: the email/SMS jobs it creates (over RPC) and the webhook delivery continue it.
        const { jobId, tenant } = n.data;
        return withLogContext({ jobId, tenant, correlationId: n.correlationId, ...childSpan(n.traceparent) }, () => this.fanOut(n));
      }),
    );
    await this.consumer.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.consumer?.stop();
  }

  async fanOut(n: JobFinishedNotification): Promise<void> {
    // Email and SMS become jobs of their own (tracked, retried, visible in the job list); an
    // idempotency key per notification makes a re-delivered notification create them once.
    if (!n.data.redelivery) await Promise.all([this.emailJob(n), this.smsJob(n)]);
    await this.webhooks(n);
  }

  private resultUrl(n: JobFinishedNotification): string | null {
    return n.data.status === 'completed' ? resultUrl(this.config.PUBLIC_BASE_URL, n.data.jobId) : null;
  }

  private async emailJob(n: JobFinishedNotification): Promise<void> {
    const { data } = n;
    if (!data.notify.email) return;
    const input = { to: data.notify.email, template: 'job-finished', data: { job_id: data.jobId, job_type: data.type, status: data.status, result_url: this.resultUrl(n), error: data.error } };
    await this.createJob(n, 'email.send', input);
  }

  private async smsJob(n: JobFinishedNotification): Promise<void> {
    const { data } = n;
    if (!data.notify.sms) return;
    const body = `jobdesk: your ${data.type} job ${data.jobId.slice(0, 8)} ${data.status}.${data.error ? ` ${data.error.code}.` : ''}${this.resultUrl(n) ? ` ${this.resultUrl(n)}` : ''}`;
    await this.createJob(n, 'sms.send', { to: data.notify.sms, body });
  }

  private async createJob(n: JobFinishedNotification, type: string, input: unknown): Promise<void> {
    const req: CreateJobRequest = {
      id: uuidv7(),
      tenant: n.data.tenant,
      type,
      input: { kind: 'json', data: input },
      metadata: { notification_for: n.data.jobId },
      idempotency: { key: `notify:${n.id}:${type}`, fingerprint: `notify:${n.id}:${type}` },
    };
    await this.rpc.request<CreateJobReply>(this.s.trackerCreate, req);
  }

  /**
   * One delivery per target: the job's own `notify.webhook` (signed with the tenant's secret) and
   * each registered endpoint that wants the event (signed with its own). All carry the same
   * webhook-id and the same bytes.
   */
  private async webhooks(n: JobFinishedNotification): Promise<void> {
    const { data } = n;
    const targets = [...(data.notify.webhook ? [{ url: data.notify.webhook, endpointId: undefined as string | undefined }] : []), ...data.endpoints.map((e) => ({ url: e.url, endpointId: e.id }))];
    if (targets.length === 0) return;
    const payload: WebhookPayload = {
      type: `job.${data.status}`,
      timestamp: data.finishedAt,
      data: {
        id: data.jobId,
        type: data.type,
        status: data.status,
        error: data.error,
        result_url: this.resultUrl(n),
        finished_at: data.finishedAt,
      },
    };
    const messageId = webhookMessageId(data.jobId, data.status, data.finishedAt);
    const body = JSON.stringify(payload);
    for (const t of targets) {
      const delivery: WebhookDelivery = { messageId, tenant: data.tenant, jobId: data.jobId, url: t.url, endpointId: t.endpointId, body, traceparent: currentTraceparent() };
      await this.deliveries.add('webhook.deliver', delivery, {
        // A redelivery is a new send of the same message: same webhook-id, its own queue entry.
        jobId: `${webhookDeliveryQueueId(messageId, t.endpointId)}${data.redelivery ? `-r${data.redelivery}` : ''}`,
        attempts: Math.max(1, this.config.WEBHOOK_ATTEMPTS),
        backoff: { type: 'custom' },
        removeOnComplete: { age: 7 * 24 * 3600 },
        removeOnFail: { age: 7 * 24 * 3600 },
      });
    }
  }
}

/** Relative to the base's path, so a gateway published under a path prefix keeps it. */
function resultUrl(base: string, jobId: string): string {
  return new URL(`v1/jobs/${jobId}/result`, base.endsWith('/') ? base : `${base}/`).toString();
}
