import { Inject, Injectable, Logger } from '@nestjs/common';
import { Subjects, WebhookAttempted, WebhookDelivery } from '@jobdesk/contracts';
import { EventPublisher, SUBJECTS } from '@jobdesk/messaging';
import { Metrics } from '@jobdesk/observability';
import { DeliveryOutcome, WebhookClient } from './webhook-sender';
import { SigningSecrets } from './signing-secrets';
import { redactUrl } from './redact-url';
import { DeliveryLogPublisher } from './delivery-log-publisher';
import { GoneTargets } from './gone-targets';

/** Which attempt of which delivery this is. */
export interface AttemptRef {
  /** The delivery's queue id (its BullMQ job id, whether or not it has a job): the log event is `<queueId>.<attempt>`. */
  queueId: string;
  /** 1-based, over all the delivery's attempts (the fan-out's first one included). */
  attempt: number;
  /** How many attempts the delivery gets in all (WEBHOOK_ATTEMPTS). */
  of: number;
  /**
   * When the delivery was queued (its BullMQ job's timestamp); absent for the fan-out's direct
   * first attempt. A queued send is not made once the receiver answered 410 to another send of
   * the same message after this one was queued.
   */
  queuedAt?: number;
}

export type AttemptOutcomeName = WebhookAttempted['data']['outcome'];

export interface AttemptResult extends DeliveryOutcome {
  outcome: AttemptOutcomeName;
  /** Failed, may be tried again, and attempts are left. */
  retry: boolean;
}

/**
 * One attempt at a webhook delivery, wherever it runs (the fan-out's first attempt, or a queued
 * retry in WebhookDeliverProcessor): get the signing secrets, send, count, and record the attempt
 * in job-tracker's delivery log. Throws only when the secrets cannot be had (then nothing was sent).
 */
@Injectable()
export class DeliverWebhookHandler {
  private readonly logger = new Logger('webhooks');
  private readonly deliveries;
  private readonly latency;
  /** The delivery log's events, the attempts that end in the same turn published as one message. */
  private readonly log: DeliveryLogPublisher;

  constructor(
    private readonly client: WebhookClient,
    private readonly secrets: SigningSecrets,
    private readonly gone: GoneTargets,
    events: EventPublisher,
    @Inject(SUBJECTS) s: Subjects,
    metrics: Metrics,
  ) {
    this.log = new DeliveryLogPublisher(events, s);
    this.deliveries = metrics.counter('jobdesk_webhook_deliveries_total', 'Webhook delivery attempts', ['outcome']);
    this.latency = metrics.histogram('jobdesk_webhook_delivery_seconds', 'Webhook request time', [], [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
  }

  /** `sent`: called as soon as the receiver answered (or not), before the attempt is recorded. */
  async attempt(d: WebhookDelivery, ref: AttemptRef, sent?: (out: DeliveryOutcome) => void): Promise<AttemptResult> {
    // 410 asks the sender to stop: a retry of the original delivery, or another redelivery,
    // queued before the receiver said so is not sent. One asked for after it (the receiver is
    // back, the client redelivers) is. Read when the attempt runs, so it holds whatever ran the
    // 410 (another notifier, before a restart).
    if (ref.queuedAt !== undefined) {
      const goneAt = await this.gone.goneAt(d);
      if (goneAt !== null && goneAt >= ref.queuedAt) return this.notSent(d, ref, 'the receiver answered 410 Gone to another send of this message: not sent');
    }
    // Asked on every attempt: a rotation or a disabled endpoint takes effect on the next one.
    const { secrets, enabled } = await this.secrets.for({ tenant: d.tenant, endpointId: d.endpointId });
    if (!enabled) return this.notSent(d, ref, 'the endpoint is disabled or deleted: not sent');
    const out = await this.client.send(d, secrets);
    sent?.(out);
    this.latency.observe(out.ms / 1000);
    const outcome: AttemptOutcomeName = out.ok ? 'delivered' : out.final ? (out.status === 410 ? 'gone' : 'refused') : 'failed';
    // Before the attempt is recorded (and its queue job completes): stored by then. Lost, it
    // only lets a pending send of the message go out, as before; it must not fail the attempt.
    if (outcome === 'gone') await this.gone.mark(d, Date.now()).catch((e) => this.logger.warn(`410 of webhook ${d.messageId} not remembered: ${(e as Error).message}`));
    this.deliveries.inc({ outcome });
    const last = out.ok || out.final || ref.attempt >= ref.of;
    const result: AttemptResult = { ...out, outcome, retry: !last };
    await this.record(d, ref, result, last);
    if (!out.ok) this.logger.warn(`webhook ${d.messageId} to ${new URL(d.url).host} attempt ${ref.attempt} failed: ${out.error}`);
    return result;
  }

  /**
   * Nothing sent, and nothing more will be: logged as `disabled` (job-tracker counts it neither
   * for nor against an endpoint's health, so it cannot disable one turned back on since).
   */
  private async notSent(d: WebhookDelivery, ref: AttemptRef, error: string): Promise<AttemptResult> {
    const out: AttemptResult = { ok: false, final: true, error, ms: 0, outcome: 'disabled', retry: false };
    this.deliveries.inc({ outcome: out.outcome });
    await this.record(d, ref, out, true);
    return out;
  }

  /** Tells job-tracker about the attempt for the delivery log; the log must not block delivery. */
  private async record(d: WebhookDelivery, ref: AttemptRef, out: AttemptResult, final: boolean): Promise<void> {
    const event: WebhookAttempted = {
      id: `${ref.queueId}.${ref.attempt}`,
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
        attempt: ref.attempt,
        statusCode: out.status ?? null,
        latencyMs: Math.round(out.ms),
        error: out.error ?? null,
        outcome: out.outcome,
        final,
      },
    };
    await this.log.publish(event).catch((e) => this.logger.warn(`delivery log event lost: ${(e as Error).message}`));
  }
}
