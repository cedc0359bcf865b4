import { Module } from '@nestjs/common';
import { BullModule, getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { Metrics } from '@jobdesk/observability';
import { JobRunner, jobProcessor, QueueDepthSampler } from '@jobdesk/queue';
import { StorageModule } from '@jobdesk/storage';
import { ChildJobs, RpcChildJobs } from './child-jobs';
import { ConversationStore, RpcConversationStore } from './conversation-store';
import { QueueWebhookOutbox, WebhookOutbox } from './escalation-webhooks';
import { HttpOrderLookup, OrderLookup } from './order-lookup';
import { SmsInboundHandler } from './sms-inbound.handler';
import { ConfirmRequestHandler } from './confirm-request.handler';

/** Conversations by text: the `sms.inbound` and `sms.confirm-request` queues, run through JobRunner. */
@Module({
  imports: [StorageModule.forRoot(), BullModule.registerQueue({ name: 'sms.inbound' }, { name: 'sms.confirm-request' }, { name: 'webhook.deliver' })],
  providers: [
    JobRunner,
    jobProcessor('sms.inbound', SmsInboundHandler),
    SmsInboundHandler,
    jobProcessor('sms.confirm-request', ConfirmRequestHandler),
    ConfirmRequestHandler,
    { provide: ConversationStore, useClass: RpcConversationStore },
    { provide: ChildJobs, useClass: RpcChildJobs },
    { provide: OrderLookup, useClass: HttpOrderLookup },
    { provide: WebhookOutbox, useClass: QueueWebhookOutbox },
    {
      provide: QueueDepthSampler,
      inject: [Metrics, getQueueToken('sms.inbound'), getQueueToken('sms.confirm-request')],
      useFactory: (m: Metrics, ...qs: Queue[]) => new QueueDepthSampler(qs, m),
    },
  ],
})
export class SmsModule {}
