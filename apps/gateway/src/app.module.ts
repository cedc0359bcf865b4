import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { NatsConnection } from 'nats';
import { ConfigModule } from '@jobdesk/config';
import { MessagingModule, NATS_CONNECTION } from '@jobdesk/messaging';
import { ObservabilityModule, READINESS_CHECKS, ReadinessCheck } from '@jobdesk/observability';
import { ObjectStorage, StorageModule } from '@jobdesk/storage';
import { JobsController } from './jobs/jobs.controller';
import { DeliveriesController } from './jobs/deliveries.controller';
import { JobsService } from './jobs/jobs.service';
import { JobEventsService } from './jobs/job-events.service';
import { ApiKeyGuard } from './auth/api-key.guard';
import { RateLimiter } from './auth/rate-limiter';
import { ProblemDetailsFilter } from './problems/problem-details.filter';
import { DashboardApiController, DashboardController } from './dashboard/dashboard.controller';
import { DocsController } from './openapi/docs.controller';
import { WebhooksController } from './webhooks/webhooks.controller';
import { ReceiverCheck } from './webhooks/receiver-check';
import { InboundSmsController } from './sms/inbound-sms.controller';
import { SmsController } from './sms/sms.controller';

@Module({
  imports: [ConfigModule, MessagingModule.forRoot('gateway'), StorageModule.forRoot(), ObservabilityModule.forRoot('gateway')],
  controllers: [JobsController, DeliveriesController, WebhooksController, DashboardController, DashboardApiController, DocsController, InboundSmsController, SmsController],
  providers: [
    JobsService,
    JobEventsService,
    ReceiverCheck,
    ApiKeyGuard,
    RateLimiter,
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    {
      provide: READINESS_CHECKS,
      inject: [NATS_CONNECTION, ObjectStorage],
      useFactory: (nc: NatsConnection, storage: ObjectStorage): ReadinessCheck[] => [
        { name: 'nats', check: async () => void (await nc.flush()) },
        { name: 'storage', check: () => storage.ping() },
      ],
    },
  ],
})
export class AppModule {}
