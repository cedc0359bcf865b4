import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { Subjects, WebhookAttempted } from '@jobdesk/contracts';
import { DurableConsumer, NATS_CONNECTION, SUBJECTS, validated } from '@jobdesk/messaging';
import { DeliveriesService } from './deliveries.service';

/** notifier's attempt events into the delivery log; acked after the insert. */
@Injectable()
export class DeliveryLogConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private consumer?: DurableConsumer;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SUBJECTS) private readonly s: Subjects,
    private readonly deliveries: DeliveriesService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = new DurableConsumer(this.nc, { stream: this.s.streams.deliveries, durable: this.s.consumers.trackerDeliveries, concurrency: 64 }, validated(WebhookAttempted, (e) => this.deliveries.record(e)));
    await this.consumer.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.consumer?.stop();
  }
}
