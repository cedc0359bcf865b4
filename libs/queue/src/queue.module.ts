import { DynamicModule, Global, Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { redisConnection } from './redis-connection';

/** BullMQ on the configured Redis with the run's key prefix. Worker apps also provide JobRunner. */
@Global()
@Module({})
export class QueueModule {
  static forRoot(): DynamicModule {
    return {
      module: QueueModule,
      imports: [
        BullModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (c: AppConfig) => ({ connection: redisConnection(c.REDIS_URL), prefix: c.QUEUE_PREFIX }),
        }),
      ],
      exports: [BullModule],
    };
  }
}
