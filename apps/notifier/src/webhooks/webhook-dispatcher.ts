import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { WebhookDelivery } from '@jobdesk/contracts';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { DELIVERY_PRODUCER, deliveryJobOptions } from './delivery-producer';
import { DeliverWebhookHandler } from './deliver-webhook.handler';
import { OriginGate } from './origin-gate';
import { webhookRetryDelay } from './retry-schedule';

/** Direct first attempts in flight to one origin (a hanging receiver holds this many fan-out slots at most). */
export const DIRECT_PER_ORIGIN = 8;
/** Longest a first attempt waits for one of its origin's slots before it is queued instead. */
export const DIRECT_MAX_WAIT_MS = 1_000;
/** After a direct attempt to an origin got no answer, its deliveries are queued for this long. */
export const DIRECT_COOL_DOWN_MS = 30_000;

/**
 * Where a delivery's first attempt runs. Normally here, at once, from the fan-out: sign, send,
 * record (DeliverWebhookHandler), with no queue job at all when it ends the delivery (2xx, 410, a
 * refused address, a disabled endpoint). Only a failure worth retrying becomes a `webhook.deliver`
 * job, delayed by the schedule's first step and numbered from attempt 2. When the first attempt
 * cannot run here (its origin is busy or not answering, job-tracker does not answer for the secrets,
 * the notification is a redelivery or a re-announcement), the whole delivery is queued as before.
 *
 * Crash semantics: the notification is acked only once each of its deliveries is done or queued.
 * A crash after a direct POST but before that ack makes JetStream deliver the notification again,
 * and the receiver gets the same `webhook-id` once more (at least once; Standard Webhooks
 * receivers deduplicate on it). Such a redelivered notification queues its deliveries (their
 * BullMQ ids keep a queued retry from being added twice) instead of sending directly again.
 */
@Injectable()
export class WebhookDispatcher {
  private readonly logger = new Logger('webhooks');
  readonly gate = new OriginGate({ perOrigin: DIRECT_PER_ORIGIN, maxWaitMs: DIRECT_MAX_WAIT_MS, coolDownMs: DIRECT_COOL_DOWN_MS });

  constructor(
    private readonly handler: DeliverWebhookHandler,
    @Inject(DELIVERY_PRODUCER) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Resolves once the delivery is done or safely queued. `queueId`: its BullMQ id (also the delivery log's). */
  async dispatch(d: WebhookDelivery, queueId: string, direct: boolean): Promise<void> {
    const release = direct ? await this.gate.acquire(this.originOf(d.url)) : undefined;
    if (!release) return this.enqueue(d, queueId, 0, 0);
    let out;
    try {
      // The origin's slot is for the HTTP exchange only, not for recording it.
      // An origin that did not answer (timeout, refused or reset connection) is avoided for a
      // while; one that answered, even 5xx, held its slot only briefly.
      out = await this.handler.attempt(d, { queueId, attempt: 1, of: Math.max(1, this.config.WEBHOOK_ATTEMPTS) }, (sent) => release(!sent.final && sent.status === undefined));
    } catch (e) {
      // The signing secrets could not be had (job-tracker not answering): nothing was sent. The
      // queue deals with that as it always has (it pauses without using up an attempt).
      release(false);
      this.logger.warn(`webhook ${d.messageId}: first attempt queued, signing secrets unavailable (${(e as Error).message})`);
      return this.enqueue(d, queueId, 0, 0);
    }
    release(false); // a disabled endpoint sent nothing (a second release is a no-op)
    if (out.retry) await this.enqueue(d, queueId, 1, webhookRetryDelay(1, this.config.RETRY_BACKOFF_FACTOR));
  }

  /** A tenant's few URLs come back on every delivery: their origins are remembered, not parsed each time. */
  private originOf(url: string): string {
    let origin = this.origins.get(url);
    if (origin === undefined) {
      origin = new URL(url).origin;
      if (this.origins.size >= 1_000) this.origins.clear();
      this.origins.set(url, origin);
    }
    return origin;
  }

  private readonly origins = new Map<string, string>();

  private async enqueue(d: WebhookDelivery, queueId: string, attemptsBefore: number, delay: number): Promise<void> {
    await this.queue.add('webhook.deliver', attemptsBefore ? { ...d, attemptsBefore } : d, deliveryJobOptions(this.config, queueId, attemptsBefore, delay));
  }
}
