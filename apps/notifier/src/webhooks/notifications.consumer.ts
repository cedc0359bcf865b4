import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
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
import { WebhookDispatcher } from './webhook-dispatcher';

/**
 * Notifications fanned out at once (each one job's: one subject, so a job's are still in order).
 * A fan-out now includes its webhooks' first attempts; one receiver holds at most
 * DIRECT_PER_ORIGIN of these slots (webhook-dispatcher), the rest keep going.
 */
const FAN_OUT_CONCURRENCY = 64;

/**
 * Finished jobs from JetStream → one delivery per target: its first attempt sent from here
 * (WebhookDispatcher), retries on notifier's own queue. The delivery's BullMQ id is derived from
 * the notification, so a re-delivered notification does not queue twice, and the `webhook-id`
 * stays the same on every retry.
 */
@Injectable()
export class NotificationsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private consumer?: DurableConsumer;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SUBJECTS) private readonly s: Subjects,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dispatcher: WebhookDispatcher,
    private readonly rpc: RpcClient,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = new DurableConsumer(
      this.nc,
      {
        stream: this.s.streams.notify,
        durable: this.s.consumers.notifier,
        concurrency: FAN_OUT_CONCURRENCY,
        // Well above the longest fan-out: email/SMS job creation and the secrets look-up (RPCs),
        // a wait for the origin's slot (≤ 1 s), the first attempt (≤ WEBHOOK_TIMEOUT_MS), the
        // delivery-log publish and the retry's add; plus the time a message waits in the pull buffer.
        ackWaitMs: 60_000 + 3 * this.config.RPC_TIMEOUT_MS + this.config.WEBHOOK_TIMEOUT_MS,
      },
      validated(JobFinishedNotification, (n, m) => {
        // In the job's trace: the email/SMS jobs it creates (over RPC) and the webhook delivery continue it.
        const { jobId, tenant } = n.data;
        return withLogContext({ jobId, tenant, correlationId: n.correlationId, ...childSpan(n.traceparent) }, () => this.fanOut(n, { redelivered: m?.redelivered ?? false }));
      }),
    );
    await this.consumer.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.consumer?.stop();
  }

  /** `redelivered`: JetStream delivers this notification again (a crash or a failure before its ack). */
  async fanOut(n: JobFinishedNotification, { redelivered = false } = {}): Promise<void> {
    // Email and SMS become jobs of their own (tracked, retried, visible in the job list); an
    // idempotency key per notification makes a re-delivered notification create them once.
    if (!n.data.redelivery) await Promise.all([this.emailJob(n), this.smsJob(n)]);
    // Once a notification may have been handled in part, its webhooks are only queued: a target
    // whose retry is already queued keeps it (same BullMQ id) and gets no extra first attempt.
    await this.webhooks(n, !redelivered && !n.data.reannounced);
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
   * webhook-id and the same bytes. `direct`: first attempts may be sent from here.
   */
  private async webhooks(n: JobFinishedNotification, direct: boolean): Promise<void> {
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
    const traceparent = currentTraceparent();
    // Each target settles before the notification does (acked or handed back): none is left half-sent.
    const settled = await Promise.allSettled(
      targets.map((t) => {
        const delivery: WebhookDelivery = { messageId, tenant: data.tenant, jobId: data.jobId, url: t.url, endpointId: t.endpointId, body, traceparent };
        // A redelivery is a new send of the same message: same webhook-id, its own queue entry.
        const queueId = `${webhookDeliveryQueueId(messageId, t.endpointId)}${data.redelivery ? `-r${data.redelivery}` : ''}`;
        return this.dispatcher.dispatch(delivery, queueId, direct);
      }),
    );
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

/** Relative to the base's path, so a gateway published under a path prefix keeps it. */
function resultUrl(base: string, jobId: string): string {
  return new URL(`v1/jobs/${jobId}/result`, base.endsWith('/') ? base : `${base}/`).toString();
}
