import { Inject, Logger } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { UnrecoverableError, Worker, type Job, type Queue } from 'bullmq';
import { Subjects, WebhookAttempted, WebhookDelivery } from '@jobdesk/contracts';
import { EventPublisher, RpcFailure, SUBJECTS } from '@jobdesk/messaging';
import { loadConfig } from '@jobdesk/config';
import { webhookRetryDelay } from './retry-schedule';
import { childSpan, Metrics, withLogContext } from '@jobdesk/observability';
import { DeliveryOutcome, WebhookClient } from './webhook-sender';
import { SigningSecrets } from './signing-secrets';
import { redactUrl } from './redact-url';
import { CoalescingPublisher } from './coalescing-publisher';

const TRACKER_UNAVAILABLE_PAUSE_MS = 1_000;

/** One delivery attempt per BullMQ attempt; the webhook schedule spaces the retries. */
@Processor('webhook.deliver', {
  concurrency: 16,
  settings: { backoffStrategy: (attemptsMade: number) => webhookRetryDelay(attemptsMade, loadConfig().RETRY_BACKOFF_FACTOR) },
})
export class WebhookDeliverProcessor extends WorkerHost {
  private readonly logger = new Logger('webhooks');
  private readonly deliveries;
  private readonly latency;
  /** The delivery log's events, the attempts that end in the same turn published in one write. */
  private readonly log: CoalescingPublisher;

  constructor(
    private readonly client: WebhookClient,
    private readonly secrets: SigningSecrets,
    events: EventPublisher,
    @Inject(SUBJECTS) private readonly s: Subjects,
    metrics: Metrics,
    @InjectQueue('webhook.deliver') private readonly queue: Queue,
  ) {
    super();
    this.log = new CoalescingPublisher(events);
    this.deliveries = metrics.counter('jobdesk_webhook_deliveries_total', 'Webhook delivery attempts', ['outcome']);
    this.latency = metrics.histogram('jobdesk_webhook_delivery_seconds', 'Webhook request time', [], [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
  }

  async process(job: Job): Promise<{ status?: number }> {
    const d = WebhookDelivery.parse(job.data);
    return withLogContext({ jobId: d.jobId, tenant: d.tenant, attempt: job.attemptsMade + 1, ...childSpan(d.traceparent) }, () => this.deliver(job, d));
  }

  private async deliver(job: Job, d: WebhookDelivery): Promise<{ status?: number }> {
    // Asked on every attempt: a rotation or a disabled endpoint takes effect on the next one.
    const { secrets, enabled } = await this.secrets.for({ tenant: d.tenant, endpointId: d.endpointId }).catch(async (e: unknown) => {
      // job-tracker does not answer (starting, restarting): nothing was sent, so this is no
      // attempt. The job goes back to waiting without using one up (the next would otherwise be
      // 5 s, then 5 min away) and the queue pauses for a second rather than failing every job.
      if (!(e instanceof RpcFailure && e.status === 503)) throw e;
      this.logger.warn(`signing secrets unavailable (${e.message}): deliveries paused for ${TRACKER_UNAVAILABLE_PAUSE_MS} ms`);
      await this.queue.rateLimit(TRACKER_UNAVAILABLE_PAUSE_MS);
      throw Worker.RateLimitError();
    });
    if (!enabled) {
      this.deliveries.inc({ outcome: 'disabled' });
      await this.record(job, d, { ok: false, final: true, error: 'the endpoint is disabled or deleted: not sent', ms: 0 }, 'disabled');
      return {};
    }
    const out = await this.client.send(d, secrets);
    this.latency.observe(out.ms / 1000);
    const outcome = out.ok ? 'delivered' : out.final ? (out.status === 410 ? 'gone' : 'refused') : 'failed';
    this.deliveries.inc({ outcome });
    await this.record(job, d, out, outcome);
    if (out.ok) return { status: out.status };
    this.logger.warn(`webhook ${d.messageId} to ${new URL(d.url).host} attempt ${job.attemptsMade + 1} failed: ${out.error}`);
    if (out.final) throw new UnrecoverableError(`receiver answered ${out.status}: not retrying`);
    throw new Error(out.error ?? 'delivery failed');
  }

  /** Tells job-tracker about the attempt for the delivery log; the log must not block delivery. */
  private async record(job: Job, d: WebhookDelivery, out: DeliveryOutcome, outcome: WebhookAttempted['data']['outcome']): Promise<void> {
    const attempt = job.attemptsMade + 1;
    const event: WebhookAttempted = {
      id: `${job.id}.${attempt}`,
      type: 'webhook.attempted',
      version: 1,
      occurredAt: new Date().toISOString(),
      correlationId: d.messageId,
      data: {
        jobId: d.jobId,
        tenant: d.tenant,
        messageId: d.messageId,
        url: redactUrl(d.url),
        endpointId: d.endpointId ?? null,
        attempt,
        statusCode: out.status ?? null,
        latencyMs: Math.round(out.ms),
        error: out.error ?? null,
        outcome,
        final: out.ok || out.final || attempt >= (job.opts.attempts ?? 1),
      },
    };
    await this.log.publish(this.s.deliveries(d.jobId), event).catch((e) => this.logger.warn(`delivery log event lost: ${(e as Error).message}`));
  }
}
