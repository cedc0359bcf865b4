import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { WebhookDelivery, webhookDeliveryQueueId } from '@jobdesk/contracts';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { DELIVERY_PRODUCER } from './delivery-producer';

/**
 * How long a 410 is remembered: longer than any send of the message stays pending (the whole
 * retry schedule is about 28 h; a queue job is kept 7 days, deliveryJobOptions).
 */
export const GONE_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * Port: when a receiver last answered 410 Gone to a message (one webhook-id) at one target. A
 * message has several sends to a target (the original delivery's retries, each manual
 * redelivery's), each its own queue job; a 410 to one of them must stop those still pending.
 */
export abstract class GoneTargets {
  /** The receiver answered 410 to `d` at `at` (ms since the epoch). */
  abstract mark(d: WebhookDelivery, at: number): Promise<void>;
  /** When it last did, or null. */
  abstract goneAt(d: WebhookDelivery): Promise<number | null>;
}

/**
 * Kept in Redis beside the queue jobs it stops (as durable as they are), one key per message and
 * target: `<QUEUE_PREFIX>:webhook-gone:<the delivery's queue id without its -r<N>>`. Through the
 * fan-out's Queue connection; a 410 is rare, and only queued attempts read the key.
 */
@Injectable()
export class RedisGoneTargets extends GoneTargets {
  constructor(
    @Inject(DELIVERY_PRODUCER) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async mark(d: WebhookDelivery, at: number): Promise<void> {
    await (await this.redis()).set(this.key(d), String(at), 'PX', GONE_TTL_MS);
  }

  async goneAt(d: WebhookDelivery): Promise<number | null> {
    const at = await (await this.redis()).get(this.key(d));
    return at === null ? null : Number(at);
  }

  /** BullMQ types its connection narrowly; it is an ioredis client. */
  private async redis(): Promise<Redis> {
    return (await this.queue.client) as unknown as Redis;
  }

  private key(d: WebhookDelivery): string {
    return `${this.config.QUEUE_PREFIX}:webhook-gone:${webhookDeliveryQueueId(d.messageId, d.endpointId)}`;
  }
}
