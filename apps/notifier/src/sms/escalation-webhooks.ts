import { Inject, Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { WebhookDelivery, webhookDeliveryQueueId } from '@jobdesk/contracts';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { deliveryJobOptions } from '../webhooks/delivery-producer';

/** Port: hand a webhook to the notifier's delivery queue (signed, retried, logged under its job). */
export abstract class WebhookOutbox {
  abstract enqueue(delivery: WebhookDelivery): Promise<void>;
}

@Injectable()
export class QueueWebhookOutbox extends WebhookOutbox {
  constructor(
    @InjectQueue('webhook.deliver') private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async enqueue(delivery: WebhookDelivery): Promise<void> {
    // The BullMQ id is the message id: a re-run of the job adds nothing.
    await this.queue.add('webhook.deliver', delivery, deliveryJobOptions(this.config, webhookDeliveryQueueId(delivery.messageId)));
  }
}
