import { DynamicModule, Module } from '@nestjs/common';
import { BullModule, getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { NatsConnection } from 'nats';
import { ConfigModule } from '@jobdesk/config';
import { MessagingModule, NATS_CONNECTION } from '@jobdesk/messaging';
import { Metrics, ObservabilityModule, READINESS_CHECKS, ReadinessCheck } from '@jobdesk/observability';
import { ObjectStorage, StorageModule } from '@jobdesk/storage';
import { QueueModule } from './queue.module';
import { JobRunner } from './job-runner';
import { QueueDepthSampler } from './queue-metrics';
import { CancelListener } from './cancel-listener';

/**
 * Everything a worker app shares: config, NATS, storage, its BullMQ queue, metrics with the
 * queue's depth, readiness on its dependencies, and the JobRunner harness (cancels reach the
 * attempts it runs). The app adds its processor and handler.
 */
@Module({})
export class WorkerAppModule {
  static forQueues(app: string, queues: string[]): DynamicModule {
    const tokens = queues.map((q) => getQueueToken(q));
    return {
      module: WorkerAppModule,
      global: true,
      imports: [
        ConfigModule,
        MessagingModule.forRoot(app),
        StorageModule.forRoot(),
        QueueModule.forRoot(),
        BullModule.registerQueue(...queues.map((name) => ({ name }))),
        ObservabilityModule.forRoot(app),
      ],
      providers: [
        JobRunner,
        CancelListener,
        { provide: QueueDepthSampler, inject: [Metrics, ...tokens], useFactory: (m: Metrics, ...qs: Queue[]) => new QueueDepthSampler(qs, m) },
        {
          provide: READINESS_CHECKS,
          inject: [NATS_CONNECTION, ObjectStorage, tokens[0]],
          useFactory: (nc: NatsConnection, storage: ObjectStorage, q: Queue): ReadinessCheck[] => [
            { name: 'nats', check: async () => void (await nc.flush()) },
            { name: 'redis', check: async () => void (await ((await q.client) as unknown as { ping(): Promise<string> }).ping()) },
            { name: 'storage', check: () => storage.ping() },
          ],
        },
      ],
      exports: [JobRunner, BullModule],
    };
  }
}
