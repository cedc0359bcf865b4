import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { MikroORM, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { BullModule, getQueueToken } from '@nestjs/bullmq';
import type { NatsConnection } from 'nats';
import type { Queue } from 'bullmq';
import { ConfigModule, loadConfig } from '@jobdesk/config';
import { MessagingModule, NATS_CONNECTION } from '@jobdesk/messaging';
import { Metrics, ObservabilityModule, READINESS_CHECKS, ReadinessCheck } from '@jobdesk/observability';
import { QueueDepthSampler, QueueModule } from '@jobdesk/queue';
import { ormConfig } from './mikro-orm.config';
import { JobsService } from './jobs/jobs.service';
import { JobStatements } from './jobs/job-statements';
import { BullJobProducer, JobProducer } from './jobs/job-producer';
import { TrackerRpcServer } from './jobs/tracker-rpc.server';
import { WorkerEventsConsumer } from './jobs/worker-events.consumer';
import { ReconcilerService } from './reconciler/reconciler.service';
import { ApiKeysService } from './auth/api-keys.service';
import { DeliveriesService } from './deliveries/deliveries.service';
import { DeliveryLogConsumer } from './deliveries/delivery-log.consumer';
import { WebhooksService } from './webhooks/webhooks.service';
import { StorageModule } from '@jobdesk/storage';
import { SmsService } from './sms/sms.service';
import { SmsRpcServer } from './sms/sms-rpc.server';

const QUEUES = ['resume.parse', 'email.send', 'sms.send', 'sms.inbound', 'sms.confirm-request', 'noop'];

@Module({
  imports: [
    ConfigModule,
    MikroOrmModule.forRootAsync({ useFactory: () => ormConfig(loadConfig()), driver: PostgreSqlDriver }),
    MessagingModule.forRoot('job-tracker'),
    QueueModule.forRoot(),
    BullModule.registerQueue(...QUEUES.map((name) => ({ name }))),
    StorageModule.forRoot(),
    ObservabilityModule.forRoot('job-tracker'),
  ],
  providers: [
    JobsService,
    JobStatements,
    ApiKeysService,
    DeliveriesService,
    WebhooksService,
    DeliveryLogConsumer,
    { provide: JobProducer, useClass: BullJobProducer },
    TrackerRpcServer,
    WorkerEventsConsumer,
    ReconcilerService,
    SmsService,
    SmsRpcServer,
    {
      provide: QueueDepthSampler,
      inject: [Metrics, ...QUEUES.map((q) => getQueueToken(q))],
      useFactory: (m: Metrics, ...queues: Queue[]) => new QueueDepthSampler(queues, m),
    },
    {
      provide: READINESS_CHECKS,
      inject: [MikroORM, NATS_CONNECTION, getQueueToken('resume.parse')],
      useFactory: (orm: MikroORM, nc: NatsConnection, q: Queue): ReadinessCheck[] => [
        { name: 'postgres', check: async () => void (await orm.em.getConnection().execute('select 1')) },
        { name: 'nats', check: async () => void (await nc.flush()) },
        { name: 'redis', check: async () => void (await ((await q.client) as unknown as { ping(): Promise<string> }).ping()) },
      ],
    },
  ],
})
export class AppModule {}
