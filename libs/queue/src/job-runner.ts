import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { UnrecoverableError, type Job } from 'bullmq';
import { ErrorCode, JOB_SPECS, QueuedJob, Subjects, WorkerEvent, isJobType } from '@jobdesk/contracts';
import { EventPublisher, SUBJECTS } from '@jobdesk/messaging';
import { ObjectStorage } from '@jobdesk/storage';
import { childSpan, currentTraceparent, Metrics, withLogContext } from '@jobdesk/observability';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { JobFailure } from './job-failure';
import { JobHandler, JobContext } from './job-handler';

const PROGRESS_EVERY_MS = 250;

/**
 * Runs one BullMQ job through its handler and reports every step to job-tracker over
 * JetStream: started, progress, then completed (with the stored result) or failed. The BullMQ
 * job only completes after the completion event is stored, so a crash in between re-runs the
 * handler (at least once) rather than losing the outcome.
 */
@Injectable()
export class JobRunner {
  private readonly log = new Logger('job-runner');
  private readonly runSeconds;
  private readonly finished;
  private readonly inlineMaxBytes: number;
  private readonly startedAfterMs: number;
  /** The attempts running in this process, by job id: how a cancel reaches one. */
  private readonly running = new Map<string, (why: JobFailure) => void>();

  constructor(
    private readonly events: EventPublisher,
    private readonly storage: ObjectStorage,
    @Inject(SUBJECTS) private readonly subjects: Subjects,
    metrics: Metrics,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.inlineMaxBytes = config.RESULT_INLINE_MAX_BYTES;
    this.startedAfterMs = config.STARTED_EVENT_AFTER_MS;
    this.runSeconds = metrics.histogram('jobdesk_job_run_seconds', 'Time a worker spent on one attempt', ['type', 'outcome'], [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]);
    this.finished = metrics.counter('jobdesk_worker_attempts_total', 'Attempts run by this worker', ['type', 'outcome']);
  }

  /** The stored result's key, or null when the result went inline in the completed event. */
  async run(job: Job, handler: JobHandler): Promise<{ resultKey: string | null }> {
    const payload = QueuedJob.safeParse(job.data);
    if (!payload.success) throw new UnrecoverableError(`invalid job payload: ${payload.error.message}`);
    const q = payload.data;
    const attempt = q.attemptBase + job.attemptsMade + 1;
    // Every line logged during the attempt names the job; its span is a child of the submitter's.
    const log = { jobId: q.jobId, tenant: q.tenant, attempt, correlationId: q.correlationId, ...childSpan(q.traceparent) };
    return withLogContext(log, () => this.attempt(job, q, attempt, handler));
  }

  /**
   * Stops the attempt of `jobId` running here, if any (the job was canceled): its handler's signal
   * aborts, the attempt fails at once without a retry, and no event is sent (job-tracker has the
   * job canceled already). A handler that ignores its signal runs on, its outcome unheard.
   */
  cancel(jobId: string): boolean {
    const stop = this.running.get(jobId);
    stop?.(new JobFailure(ErrorCode.Canceled, 'the job was canceled while this attempt ran', false));
    return !!stop;
  }

  private async attempt(job: Job, q: QueuedJob, attempt: number, handler: JobHandler): Promise<{ resultKey: string | null }> {
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const base = { jobId: q.jobId, tenant: q.tenant, attempt };
    const started = process.hrtime.bigint();
    const startedAt = new Date().toISOString();
    const timeoutMs = q.timeoutMs ?? (isJobType(q.type) ? JOB_SPECS[q.type].policy.timeoutMs : 60_000);

    // `job.started` (with the real start time) only for an attempt still running after
    // STARTED_EVENT_AFTER_MS, reporting progress, or failing: a short successful one is a single
    // event, its end, carrying startedAt. Any event after `started` waits until `started` is
    // stored, so job-tracker sees them in order.
    let startedEvent: Promise<void> | undefined;
    const announceStarted = (): Promise<void> => {
      if (!startedEvent) {
        startedEvent = this.emit(q, { type: 'job.started', data: { ...base, startedAt } });
        startedEvent.catch(() => undefined); // awaited (and its failure seen) before the attempt's next event
      }
      return startedEvent;
    };
    const startTimer = this.startedAfterMs > 0 ? setTimeout(announceStarted, this.startedAfterMs) : undefined;
    if (!startTimer) await announceStarted();
    const ending = async () => {
      clearTimeout(startTimer);
      if (startedEvent) await startedEvent;
      return startedEvent ? {} : { startedAt };
    };

    // The attempt ends early on its deadline (a timer) or a cancel: `stop` rejects the race below,
    // and aborts the handler's signal if the handler ever asked for one (most never do; an
    // AbortController each cost more than a no-op job).
    let abort: AbortController | undefined;
    let expired: JobFailure | undefined;
    let rejectEarly!: (e: JobFailure) => void;
    const early = new Promise<never>((_, reject) => (rejectEarly = reject));
    const stop = (why: JobFailure) => {
      if (expired) return;
      expired = why;
      abort?.abort(why);
      rejectEarly(why);
    };
    const timer = setTimeout(() => stop(new JobFailure(ErrorCode.Timeout, `attempt took longer than ${timeoutMs} ms`, true)), timeoutMs);
    this.running.set(q.jobId, stop);
    let lastProgressAt = 0;
    const ctx: JobContext = {
      jobId: q.jobId,
      tenant: q.tenant,
      attempt,
      correlationId: q.correlationId,
      get signal() {
        if (!abort) {
          abort = new AbortController();
          if (expired) abort.abort(expired);
        }
        return abort.signal;
      },
      reportProgress: async (pct, stage) => {
        const now = Date.now();
        if (now - lastProgressAt < PROGRESS_EVERY_MS && pct < 100) return;
        lastProgressAt = now;
        const progress = Math.max(0, Math.min(100, Math.round(pct)));
        await job.updateProgress(progress);
        await announceStarted();
        await this.emit(q, { type: 'job.progress', data: { ...base, progress, stage } });
      },
    };

    try {
      const result = await Promise.race([handler.execute(q.input, ctx), early]);
      const end = await ending();
      const text = JSON.stringify(result) ?? 'null';
      const size = Buffer.byteLength(text);
      const contentType = 'application/json';
      let key: string | undefined;
      if (size <= this.inlineMaxBytes) {
        // Small: the event carries it and job-tracker keeps it in the job's row — no file per job.
        await this.emit(q, { type: 'job.completed', data: { ...base, ...end, result: { contentType, size, body: text } } });
      } else {
        // Keyed by job id: a re-run overwrites the same object, never adds a second result.
        key = `results/${q.jobId}.json`;
        await this.storage.put(key, Buffer.from(text), { contentType });
        await this.emit(q, { type: 'job.completed', data: { ...base, ...end, result: { key, contentType, size } } });
      }
      this.observe(q.type, 'completed', started);
      this.log.log(`${q.type} attempt ${attempt} completed in ${Math.round(Number(process.hrtime.bigint() - started) / 1e6)} ms`);
      return { resultKey: key ?? null };
    } catch (e) {
      // A stopped attempt (deadline, cancel) fails as stopped, whatever its aborted handler threw.
      const failure = expired ?? toFailure(e);
      if (failure.code === ErrorCode.Canceled) {
        this.observe(q.type, 'canceled', started);
        this.log.log(`job ${q.jobId} attempt ${attempt} stopped: the job was canceled`);
        throw new UnrecoverableError(`${failure.code}: ${failure.message}`);
      }
      const willRetry = failure.retryable && !lastAttempt;
      this.observe(q.type, willRetry ? 'retry' : 'failed', started);
      this.log.warn(`job ${q.jobId} attempt ${attempt} failed (${failure.code}): ${failure.message.slice(0, 200)}${willRetry ? ' — will retry' : ''}`);
      // A failed attempt is always announced as started first, however short: a retry then shows
      // as processing → queued in the job's history, not as nothing at all.
      const end = await announceStarted().then(ending, () => ({ startedAt }));
      await this.emit(q, { type: 'job.failed', data: { ...base, ...end, error: { code: failure.code, message: failure.message }, willRetry } });
      if (!failure.retryable) throw new UnrecoverableError(`${failure.code}: ${failure.message}`);
      throw failure;
    } finally {
      clearTimeout(timer);
      clearTimeout(startTimer);
      if (this.running.get(q.jobId) === stop) this.running.delete(q.jobId);
    }
  }

  private async emit(q: QueuedJob, e: Pick<WorkerEvent, 'type' | 'data'>): Promise<void> {
    const event = { id: randomUUID(), version: 1, occurredAt: new Date().toISOString(), correlationId: q.correlationId, traceparent: currentTraceparent(), ...e };
    await this.events.publish(this.subjects.events(q.jobId), event);
  }

  private observe(type: string, outcome: string, started: bigint): void {
    this.runSeconds.observe({ type, outcome }, Number(process.hrtime.bigint() - started) / 1e9);
    this.finished.inc({ type, outcome });
  }
}

function toFailure(e: unknown): JobFailure {
  if (e instanceof JobFailure) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new JobFailure(ErrorCode.WorkerError, message, true);
}
