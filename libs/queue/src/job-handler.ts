import type { JobInput } from '@jobdesk/contracts';

export interface JobContext {
  jobId: string;
  tenant: string;
  attempt: number;
  correlationId: string;
  /** 0-100; cheap to call often, events are throttled. */
  reportProgress(pct: number, stage?: string): Promise<void>;
  /** Aborted when the attempt times out. */
  signal: AbortSignal;
}

/** What a job produces: stored as the job's result, as JSON. */
export type JobResult = Record<string, unknown>;

/** One class per job type implements this; it depends on ports only. */
export interface JobHandler {
  execute(input: JobInput, ctx: JobContext): Promise<JobResult>;
}
