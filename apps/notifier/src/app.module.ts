import { Module } from '@nestjs/common';
import { BullModule, getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { NatsConnection } from 'nats';
import { ConfigModule } from '@jobdesk/config';
import { MessagingModule, NATS_CONNECTION } from '@jobdesk/messaging';
import { Metrics, ObservabilityModule, READINESS_CHECKS, ReadinessCheck } from '@jobdesk/observability';
import { QueueDepthSampler, QueueModule } from '@jobdesk/queue';
import { NotificationsConsumer } from './webhooks/notifications.consumer';
import { WebhookDeliverProcessor } from './webhooks/webhook-deliver.processor';
import { FetchWebhookClient, WebhookClient } from './webhooks/webhook-sender';
import { SigningSecrets } from './webhooks/signing-secrets';
import { SmsModule } from './sms/sms.module';
import { DELIVERY_PRODUCER, DeliveryProducer } from './webhooks/delivery-producer';
import { DeliverWebhookHandler } from './webhooks/deliver-webhook.handler';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher';
import { GoneTargets, RedisGoneTargets } from './webhooks/gone-targets';

@Module({
  imports: [
    ConfigModule,
    MessagingModule.forRoot('notifier'),
    QueueModule.forRoot(),
    BullModule.registerQueue({ name: 'webhook.deliver' }),
    ObservabilityModule.forRoot('notifier'),
    SmsModule,
  ],
  providers: [
    NotificationsConsumer,
    WebhookDeliverProcessor,
    DeliverWebhookHandler,
    WebhookDispatcher,
    SigningSecrets,
    DeliveryProducer,
    { provide: DELIVERY_PRODUCER, inject: [DeliveryProducer], useFactory: (p: DeliveryProducer) => p.queue },
    { provide: WebhookClient, useClass: FetchWebhookClient },
    { provide: GoneTargets, useClass: RedisGoneTargets },
    { provide: QueueDepthSampler, inject: [Metrics, getQueueToken('webhook.deliver')], useFactory: (m: Metrics, q: Queue) => new QueueDepthSampler([q], m) },
    {
      provide: READINESS_CHECKS,
      inject: [NATS_CONNECTION, getQueueToken('webhook.deliver')],
      useFactory: (nc: NatsConnection, q: Queue): ReadinessCheck[] => [
        { name: 'nats', check: async () => void (await nc.flush()) },
        { name: 'redis', check: async () => void (await ((await q.client) as unknown as { ping(): Promise<string> }).ping()) },
      ],
    },
  ],
})
export class AppModule {}
