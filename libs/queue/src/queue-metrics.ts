import { Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { Metrics } from '@jobdesk/observability';
import { loadConfig } from '@jobdesk/config';

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;

/**
 * Exports a queue's depth per state and the age of its oldest waiting job — the figures the
 * autoscaler and the alerts read. Sampled on an interval, not per scrape, so a slow Redis
 * cannot stall /metrics.
 */
export class QueueDepthSampler implements OnModuleInit, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly depth;
  private readonly oldest;

  constructor(private readonly queues: Queue[], metrics: Metrics, private readonly everyMs = loadConfig().QUEUE_METRICS_INTERVAL_MS) {
    this.depth = metrics.gauge('jobdesk_queue_jobs', 'Jobs in a queue by state', ['queue', 'state']);
    this.oldest = metrics.gauge('jobdesk_queue_oldest_job_age_seconds', 'Age of the oldest job waiting in a queue', ['queue']);
  }

  onModuleInit(): void {
    // A sample cut short by shutdown (the queues' connections closing) is not worth a warning.
    this.timer = setInterval(() => void this.sample().catch((e) => this.stopped || new Logger('queue-metrics').warn(e.message)), this.everyMs);
    this.timer.unref();
  }

  /** Before the queues close (their module's shutdown hooks run later). */
  onModuleDestroy(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  async sample(): Promise<void> {
    for (const q of this.queues) {
      const counts = await q.getJobCounts(...STATES);
      for (const s of STATES) this.depth.set({ queue: q.name, state: s }, counts[s] ?? 0);
      const [oldest] = await q.getJobs(['waiting', 'prioritized'], -1, -1, false);
      this.oldest.set({ queue: q.name }, oldest ? (Date.now() - oldest.timestamp) / 1000 : 0);
    }
  }
}
