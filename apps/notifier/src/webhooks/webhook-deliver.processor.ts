import { Logger } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { UnrecoverableError, type Job } from 'bullmq';
import { WebhookDelivery } from '@jobdesk/contracts';
import { loadConfig } from '@jobdesk/config';
import { webhookRetryDelay } from './retry-schedule';
import { Metrics } from '@jobdesk/observability';
import { WebhookClient } from './webhook-sender';

/** One delivery attempt per BullMQ attempt; the webhook schedule spaces the retries. */
@Processor('webhook.deliver', {
  concurrency: 16,
  settings: { backoffStrategy: (attemptsMade: number) => webhookRetryDelay(attemptsMade, loadConfig().RETRY_BACKOFF_FACTOR) },
})
export class WebhookDeliverProcessor extends WorkerHost {
  private readonly log = new Logger('webhooks');
  private readonly deliveries;
  private readonly latency;

  constructor(private readonly client: WebhookClient, metrics: Metrics) {
    super();
    this.deliveries = metrics.counter('jobdesk_webhook_deliveries_total', 'Webhook delivery attempts', ['outcome']);
    this.latency = metrics.histogram('jobdesk_webhook_delivery_seconds', 'Webhook request time', [], [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
  }

  async process(job: Job): Promise<{ status?: number }> {
    const d = WebhookDelivery.parse(job.data);
    const out = await this.client.send(d);
    this.latency.observe(out.ms / 1000);
    this.deliveries.inc({ outcome: out.ok ? 'delivered' : out.final ? 'gone' : 'failed' });
    if (out.ok) return { status: out.status };
    this.log.warn(`webhook ${d.messageId} to ${new URL(d.url).host} attempt ${job.attemptsMade + 1} failed: ${out.error}`);
    if (out.final) throw new UnrecoverableError(`receiver answered ${out.status}: not retrying`);
    throw new Error(out.error ?? 'delivery failed');
  }
}
