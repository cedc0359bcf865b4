import { Subjects, uuidv7, WEBHOOK_ATTEMPTS_PER_MESSAGE, WebhookAttempted, WebhookAttempts } from '@jobdesk/contracts';
import { EventPublisher } from '@jobdesk/messaging';

/** Subjects the batches rotate over (job-tracker handles one message per subject at a time). */
export const DELIVERY_LOG_SHARDS = 8;
/**
 * How long the first attempt of a batch waits for others. A few milliseconds on the way to the
 * notification's ack (the receiver's slot is already free by then) for several times fewer
 * messages: at 3,000 attempts/s a turn's worth was about 5 attempts.
 */
export const DELIVERY_LOG_LINGER_MS = 2;

/**
 * The delivery log's events: the attempts that end in the same turn of the event loop go to
 * job-tracker as one `webhook.attempts` message (up to WEBHOOK_ATTEMPTS_PER_MESSAGE each), in one
 * `setImmediate`. One JetStream store, delivery and ack for them all instead of one each: those,
 * and the socket writes they cost in three processes, were most of a delivery's CPU. Each caller
 * still gets its own promise, resolved once JetStream has stored the message that carries its
 * attempt (or rejected with it); nothing is acked on anyone's behalf.
 */
export class DeliveryLogPublisher {
  private pending: Array<{ event: WebhookAttempted; resolve: () => void; reject: (e: unknown) => void }> = [];
  private shard = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly events: EventPublisher,
    private readonly s: Subjects,
  ) {}

  publish(event: WebhookAttempted): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const n = this.pending.push({ event, resolve, reject });
      if (n === 1) this.timer = setTimeout(this.flush, DELIVERY_LOG_LINGER_MS);
      else if (n >= WEBHOOK_ATTEMPTS_PER_MESSAGE) this.flush();
    });
  }

  private readonly flush = (): void => {
    clearTimeout(this.timer);
    const all = this.pending;
    this.pending = [];
    for (let i = 0; i < all.length; i += WEBHOOK_ATTEMPTS_PER_MESSAGE) {
      const batch = all.slice(i, i + WEBHOOK_ATTEMPTS_PER_MESSAGE);
      const message: WebhookAttempts = {
        // A fresh id: JetStream's de-duplication must never drop a batch for another's id.
        id: uuidv7(),
        type: 'webhook.attempts',
        version: 1,
        occurredAt: new Date().toISOString(),
        correlationId: batch[0].event.correlationId,
        data: { attempts: batch.map((p) => p.event) },
      };
      const subject = this.s.deliveryBatches(this.shard++ % DELIVERY_LOG_SHARDS);
      try {
        this.events.publish(subject, message).then(
          () => batch.forEach((p) => p.resolve()),
          (e: unknown) => batch.forEach((p) => p.reject(e)),
        );
      } catch (e) {
        batch.forEach((p) => p.reject(e));
      }
    }
  };
}
