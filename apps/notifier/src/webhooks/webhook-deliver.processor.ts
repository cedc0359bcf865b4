import { Logger } from '@nestjs/common';
import { InjectQueue, Processor } from '@nestjs/bullmq';
import { UnrecoverableError, Worker, type Job, type MinimalJob, type Queue } from 'bullmq';
import { WebhookDelivery } from '@jobdesk/contracts';
import { RpcFailure } from '@jobdesk/messaging';
import { loadConfig } from '@jobdesk/config';
import { DrainingWorkerHost } from '@jobdesk/queue';
import { webhookRetryDelay } from './retry-schedule';
import { childSpan, withLogContext } from '@jobdesk/observability';
import { DeliverWebhookHandler } from './deliver-webhook.handler';

const TRACKER_UNAVAILABLE_PAUSE_MS = 1_000;

/** Attempts the delivery had before its queue job (the fan-out's direct first attempt). */
const attemptsBefore = (job?: MinimalJob): number => (job?.data as Partial<WebhookDelivery> | undefined)?.attemptsBefore ?? 0;

/** Delay after the queue job's `attemptsMade`-th attempt failed: the schedule counts the direct one too. */
export function webhookBackoff(attemptsMade: number, job?: MinimalJob, factor = loadConfig().RETRY_BACKOFF_FACTOR): number {
  return webhookRetryDelay(attemptsMade + attemptsBefore(job), factor);
}

/**
 * The queued attempts of a delivery, one per BullMQ attempt; the webhook schedule spaces them.
 * A delivery whose first attempt the fan-out made (`attemptsBefore`) goes on from attempt 2.
 */
@Processor('webhook.deliver', { concurrency: 16, settings: { backoffStrategy: (attemptsMade: number, _type?: string, _err?: Error, job?: MinimalJob) => webhookBackoff(attemptsMade, job) } })
export class WebhookDeliverProcessor extends DrainingWorkerHost {
  private readonly logger = new Logger('webhooks');

  constructor(
    private readonly handler: DeliverWebhookHandler,
    @InjectQueue('webhook.deliver') private readonly queue: Queue,
  ) {
    super();
  }

  async process(job: Job): Promise<{ status?: number }> {
    const d = WebhookDelivery.parse(job.data);
    const attempt = attemptsBefore(job) + job.attemptsMade + 1;
    return withLogContext({ jobId: d.jobId, tenant: d.tenant, attempt, ...childSpan(d.traceparent) }, () => this.deliver(job, d, attempt));
  }

  private async deliver(job: Job, d: WebhookDelivery, attempt: number): Promise<{ status?: number }> {
    const out = await this.handler.attempt(d, { queueId: job.id!, attempt, of: attemptsBefore(job) + (job.opts.attempts ?? 1), queuedAt: job.timestamp }).catch(async (e: unknown) => {
      // job-tracker does not answer (starting, restarting): nothing was sent, so this is no
      // attempt. The job goes back to waiting without using one up (the next would otherwise be
      // 5 s, then 5 min away) and the queue pauses for a second rather than failing every job.
      if (!(e instanceof RpcFailure && e.status === 503)) throw e;
      this.logger.warn(`signing secrets unavailable (${e.message}): deliveries paused for ${TRACKER_UNAVAILABLE_PAUSE_MS} ms`);
      await this.queue.rateLimit(TRACKER_UNAVAILABLE_PAUSE_MS);
      throw Worker.RateLimitError();
    });
    if (out.outcome === 'disabled') return {};
    if (out.ok) return { status: out.status };
    if (out.final) throw new UnrecoverableError(`receiver answered ${out.status}: not retrying`);
    throw new Error(out.error ?? 'delivery failed');
  }
}
