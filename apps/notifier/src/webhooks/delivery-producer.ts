import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Queue, type JobsOptions } from 'bullmq';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { redisConnection } from '@jobdesk/queue';

/** The fan-out's handle on the `webhook.deliver` queue (adds only). */
export const DELIVERY_PRODUCER = Symbol('DELIVERY_PRODUCER');

/**
 * A `webhook.deliver` Queue on a connection of its own with ioredis auto-pipelining: the adds
 * of notifications fanned out together (32 at once) leave in one socket write and their replies
 * come back in one read, instead of a write and a read per add. Only adds go through it; the
 * Worker (blocking commands) keeps the queue registered with BullModule and its plain connection.
 */
@Injectable()
export class DeliveryProducer implements OnApplicationShutdown {
  readonly queue: Queue;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.queue = new Queue('webhook.deliver', { connection: { ...redisConnection(config.REDIS_URL), enableAutoPipelining: true }, prefix: config.QUEUE_PREFIX });
  }

  /** After every onModuleDestroy: the fan-out has stopped and its last adds are out. */
  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}

/**
 * A `webhook.deliver` job's options. `attemptsBefore`: attempts the delivery already had (the
 * fan-out's first), which the job's own attempts continue up to WEBHOOK_ATTEMPTS in all.
 */
export function deliveryJobOptions(config: AppConfig, jobId: string, attemptsBefore = 0, delay = 0): JobsOptions {
  return {
    jobId,
    attempts: Math.max(1, config.WEBHOOK_ATTEMPTS - attemptsBefore),
    backoff: { type: 'custom' },
    delay: delay || undefined,
    removeOnComplete: { age: 7 * 24 * 3600 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}
