import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { DeliveryLogMessage, Subjects } from '@jobdesk/contracts';
import { DurableConsumer, NATS_CONNECTION, SUBJECTS, validated } from '@jobdesk/messaging';
import { DeliveriesService } from './deliveries.service';

/** notifier's attempt events into the delivery log; a message is acked after all its attempts are stored. */
@Injectable()
export class DeliveryLogConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private consumer?: DurableConsumer;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SUBJECTS) private readonly s: Subjects,
    private readonly deliveries: DeliveriesService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = new DurableConsumer(this.nc, { stream: this.s.streams.deliveries, durable: this.s.consumers.trackerDeliveries, concurrency: 64 }, validated(DeliveryLogMessage, (m) => this.handle(m)));
    await this.consumer.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.consumer?.stop();
  }

  /** A batch's attempts share the delivery log's INSERTs; a failure hands the whole message back (stored ones are skipped next time). */
  async handle(m: DeliveryLogMessage): Promise<void> {
    if (m.type === 'webhook.attempted') return this.deliveries.record(m);
    const settled = await Promise.allSettled(m.data.attempts.map((e) => this.deliveries.record(e)));
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
