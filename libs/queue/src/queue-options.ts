import type { JobsOptions } from 'bullmq';
import { JOB_SPECS, JobType } from '@jobdesk/contracts';

/** BullMQ options for one job of a type, from the catalogue's retry policy. */
export function jobOptions(
  type: JobType,
  opts: { jobId: string; backoffFactor: number; maxAttempts?: number | null; priority?: number; delayMs?: number },
): JobsOptions {
  const { policy } = JOB_SPECS[type];
  return {
    jobId: opts.jobId,
    attempts: opts.maxAttempts ?? policy.attempts,
    backoff: { type: 'exponential', delay: Math.round(policy.backoffMs * opts.backoffFactor) },
    // BullMQ: 0 = no priority, 1 is the highest. The API's 0-1000 has higher = more urgent.
    priority: opts.priority ? Math.max(1, 1001 - opts.priority) : undefined,
    delay: opts.delayMs && opts.delayMs > 0 ? opts.delayMs : undefined,
    // PostgreSQL keeps the history; Redis only needs enough to deduplicate re-adds for a while.
    removeOnComplete: { age: 3600, count: 10_000 },
    removeOnFail: { age: 24 * 3600, count: 10_000 },
  };
}
