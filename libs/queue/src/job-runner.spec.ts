import { Logger } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { ErrorCode, JOB_SPECS, JobInput, QueuedJob, subjects } from '@jobdesk/contracts';
import type { AppConfig } from '@jobdesk/config';
import { Metrics } from '@jobdesk/observability';
import type { ObjectStorage } from '@jobdesk/storage';
import { RecordingEventPublisher, strictFake } from '@jobdesk/testing';
import { JobFailure } from './job-failure';
import type { JobContext, JobHandler, JobResult } from './job-handler';
import { JobRunner } from './job-runner';

const s = subjects('runner_test');
const INLINE_MAX = 64;
const jobId = '0190a0a0-0000-7000-8000-0000000000aa';
const payload: QueuedJob = {
  jobId,
  tenant: 'acme',
  type: 'email.send',
  input: { kind: 'json', data: { to: 'a@example.com', subject: 'hi', text: 'hello' } },
  correlationId: 'corr-1',
  attemptBase: 0,
  timeoutMs: null,
};

function fakeJob(opts: { attemptsMade?: number; attempts?: number; data?: unknown } = {}) {
  const progress: number[] = [];
  const job = {
    data: opts.data ?? payload,
    attemptsMade: opts.attemptsMade ?? 0,
    opts: { attempts: opts.attempts ?? 3 },
    updateProgress: async (p: number) => void progress.push(p),
  };
  return { job: job as unknown as Job, progress };
}

const handlerDoing = (execute: (input: JobInput, ctx: JobContext) => Promise<JobResult>): JobHandler => ({ execute });

describe('JobRunner', () => {
  beforeAll(() => Logger.overrideLogger(false));
  let events: RecordingEventPublisher;
  let stored: Map<string, { body: Buffer; contentType?: string }>;
  let runner: JobRunner;

  const eventTypes = () => events.on(s.events(jobId)).map((e) => e.type);
  const lastEvent = () => events.on(s.events(jobId)).at(-1) as unknown as { type: string; data: Record<string, unknown> };

  beforeEach(() => {
    events = new RecordingEventPublisher();
    stored = new Map();
    const storage = strictFake<ObjectStorage>('ObjectStorage', {
      put: async (key, body, opts) => {
        stored.set(key, { body: body as Buffer, contentType: opts?.contentType });
        return { size: (body as Buffer).length };
      },
    });
    runner = new JobRunner(events, storage, s, new Metrics('test'), { RESULT_INLINE_MAX_BYTES: INLINE_MAX } as AppConfig);
  });

  afterEach(() => jest.useRealTimers());

  it('reports started then completed, a small result inside the event and no file', async () => {
    const { job } = fakeJob();
    const result = { message_id: '<x@jobdesk>', note: 'ünïcode' };

    const out = await runner.run(job, handlerDoing(async () => result));

    expect(out).toEqual({ resultKey: null });
    expect(eventTypes()).toEqual(['job.started', 'job.completed']);
    const sent = lastEvent().data.result as { body: string; size: number; key?: string };
    expect(sent.key).toBeUndefined();
    expect(JSON.parse(sent.body)).toEqual(result);
    expect(sent.size).toBe(Buffer.byteLength(sent.body)); // bytes, not characters
    expect(stored.size).toBe(0);
  });

  it('stores a result larger than RESULT_INLINE_MAX_BYTES under the job id, and the event names its key', async () => {
    const { job } = fakeJob();
    const result = { message_id: '<x@jobdesk>', text: 'x'.repeat(INLINE_MAX) };

    const out = await runner.run(job, handlerDoing(async () => result));

    const key = `results/${jobId}.json`;
    expect(out).toEqual({ resultKey: key });
    expect(eventTypes()).toEqual(['job.started', 'job.completed']);
    expect(lastEvent().data).toMatchObject({ jobId, tenant: 'acme', attempt: 1, result: { key, contentType: 'application/json', size: stored.get(key)!.body.length } });
    expect(JSON.parse(stored.get(key)!.body.toString())).toEqual(result);
    expect(lastEvent().data.result).not.toHaveProperty('body');
  });

  it('gives every event its own id and the job\'s correlation id', async () => {
    const { job } = fakeJob();

    await runner.run(job, handlerDoing(async () => ({})));

    const sent = events.on(s.events(jobId));
    expect(new Set(sent.map((e) => e.id)).size).toBe(sent.length);
    expect(sent.every((e) => e.correlationId === payload.correlationId)).toBe(true);
  });

  it('ends the job at once when the handler reports a non-retryable failure', async () => {
    const { job } = fakeJob({ attemptsMade: 0, attempts: 3 });
    const handler = handlerDoing(async () => {
      throw new JobFailure(ErrorCode.CorruptInput, 'not a PDF');
    });

    const run = runner.run(job, handler);

    await expect(run).rejects.toBeInstanceOf(UnrecoverableError);
    expect(lastEvent()).toMatchObject({ type: 'job.failed', data: { willRetry: false, error: { code: ErrorCode.CorruptInput, message: 'not a PDF' } } });
  });

  it('reports a transient error on the last attempt as final', async () => {
    const { job } = fakeJob({ attemptsMade: 2, attempts: 3 });

    const run = runner.run(job, handlerDoing(async () => Promise.reject(new Error('connection reset'))));

    await expect(run).rejects.toThrow('connection reset');
    expect(lastEvent()).toMatchObject({ type: 'job.failed', data: { attempt: 3, willRetry: false, error: { code: ErrorCode.WorkerError } } });
  });

  it('reports a transient error on an earlier attempt as retried and rethrows it for BullMQ', async () => {
    const { job } = fakeJob({ attemptsMade: 0, attempts: 3 });

    const run = runner.run(job, handlerDoing(async () => Promise.reject(new Error('connection reset'))));

    const error = await run.catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(UnrecoverableError);
    expect(error).toMatchObject({ code: ErrorCode.WorkerError, message: 'connection reset', retryable: true });
    expect(lastEvent()).toMatchObject({ type: 'job.failed', data: { attempt: 1, willRetry: true } });
  });

  it('rejects a payload that is not a queued job without running the handler or reporting', async () => {
    const { job } = fakeJob({ data: { jobId: 'not-a-uuid', tenant: 'acme' } });
    const handler = strictFake<JobHandler>('JobHandler');

    const run = runner.run(job, handler);

    await expect(run).rejects.toBeInstanceOf(UnrecoverableError);
    expect(events.published).toEqual([]);
  });

  it('fails a retryable timeout and aborts the handler when an attempt outlives the type\'s time limit', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
    const { job } = fakeJob({ attemptsMade: 0, attempts: 3 });
    let signal: AbortSignal | undefined;
    const run = runner.run(job, handlerDoing((_, ctx) => {
      signal = ctx.signal;
      return new Promise<JobResult>(() => undefined);
    }));
    const settled = run.catch((e: unknown) => e);

    await jest.advanceTimersByTimeAsync(JOB_SPECS['email.send'].policy.timeoutMs);

    const error = await settled;
    expect(error).toBeInstanceOf(JobFailure);
    expect(signal?.aborted).toBe(true);
    expect(lastEvent()).toMatchObject({ type: 'job.failed', data: { willRetry: true, error: { code: ErrorCode.Timeout } } });
  });

  it('hands a handler that asks for its signal only after the time limit an aborted one', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
    const { job } = fakeJob({ attemptsMade: 0, attempts: 3 });
    const limit = JOB_SPECS['email.send'].policy.timeoutMs;
    let late: AbortSignal | undefined;
    const run = runner.run(job, handlerDoing((_, ctx) => new Promise<JobResult>(() => setTimeout(() => (late = ctx.signal), limit + 10))));
    const settled = run.catch((e: unknown) => e);

    await jest.advanceTimersByTimeAsync(limit + 10);

    expect(await settled).toBeInstanceOf(JobFailure);
    expect(late?.aborted).toBe(true);
    expect(late?.reason).toBeInstanceOf(JobFailure);
  });

  it('stops a canceled job\'s running attempt without a retry or an ending event, and forgets it once ended', async () => {
    const { job } = fakeJob({ attemptsMade: 0, attempts: 3 });
    let signal: AbortSignal | undefined;
    const run = runner.run(job, handlerDoing((_, ctx) => {
      signal = ctx.signal;
      return new Promise<JobResult>(() => undefined);
    }));
    const settled = run.catch((e: unknown) => e);
    await new Promise((r) => setImmediate(r));

    expect(runner.cancel('0190a0a0-0000-7000-8000-0000000000ff')).toBe(false); // not running here
    expect(runner.cancel(jobId)).toBe(true);

    const error = await settled;
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect((error as Error).message).toMatch(/^canceled:/);
    expect(signal?.aborted).toBe(true);
    expect(eventTypes()).toEqual(['job.started']); // this runner announces every start; no end follows
    expect(runner.cancel(jobId)).toBe(false);
  });

  it('fails a canceled attempt as canceled when its handler heeds the signal and throws its own error', async () => {
    const { job } = fakeJob({ attemptsMade: 0, attempts: 3 });
    const run = runner.run(job, handlerDoing((_, ctx) => new Promise<JobResult>((_, reject) => {
      ctx.signal.addEventListener('abort', () => reject(new Error('aborted by the signal')));
    })));
    const settled = run.catch((e: unknown) => e);
    await new Promise((r) => setImmediate(r));

    runner.cancel(jobId);

    const error = await settled;
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect((error as Error).message).toMatch(/^canceled:/);
  });

  it('does not time out an attempt that finishes just within the limit', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
    const { job } = fakeJob();
    const limit = JOB_SPECS['email.send'].policy.timeoutMs;
    const run = runner.run(job, handlerDoing(() => new Promise((resolve) => setTimeout(() => resolve({}), limit - 1))));

    await jest.advanceTimersByTimeAsync(limit - 1);

    await expect(run).resolves.toEqual({ resultKey: null });
  });

  describe('with STARTED_EVENT_AFTER_MS', () => {
    const AFTER = 50;
    let delayed: JobRunner;
    beforeEach(() => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
      delayed = new JobRunner(events, strictFake<ObjectStorage>('ObjectStorage', {}), s, new Metrics('test'), { RESULT_INLINE_MAX_BYTES: INLINE_MAX, STARTED_EVENT_AFTER_MS: AFTER } as AppConfig);
    });
    const after = (ms: number, value: JobResult) => handlerDoing(() => new Promise((resolve) => setTimeout(() => resolve(value), ms)));

    it('ends a short attempt with one event that says when it started', async () => {
      const before = Date.now();
      await delayed.run(fakeJob().job, handlerDoing(async () => ({ ok: true })));
      expect(eventTypes()).toEqual(['job.completed']);
      expect(Date.parse(lastEvent().data.startedAt as string)).toBeGreaterThanOrEqual(before);
    });

    it('announces started once the attempt has run that long, and the end no longer carries startedAt', async () => {
      const run = delayed.run(fakeJob().job, after(AFTER + 10, { ok: true }));
      await jest.advanceTimersByTimeAsync(AFTER);
      expect(eventTypes()).toEqual(['job.started']);
      await jest.advanceTimersByTimeAsync(10);
      await run;
      expect(eventTypes()).toEqual(['job.started', 'job.completed']);
      expect(lastEvent().data).not.toHaveProperty('startedAt');
    });

    it('announces started before the first progress report, however early', async () => {
      await delayed.run(fakeJob().job, handlerDoing(async (_input, ctx) => {
        await ctx.reportProgress(100);
        return {};
      }));
      expect(eventTypes()).toEqual(['job.started', 'job.progress', 'job.completed']);
    });

    it('announces a failed attempt as started first, however short, so that a retry shows in the history', async () => {
      const before = Date.now();
      await expect(delayed.run(fakeJob().job, handlerDoing(async () => Promise.reject(new Error('boom'))))).rejects.toThrow('boom');
      expect(eventTypes()).toEqual(['job.started', 'job.failed']);
      const [started, failed] = events.on(s.events(jobId)) as unknown as Array<{ data: Record<string, unknown> }>;
      expect(Date.parse(started.data.startedAt as string)).toBeGreaterThanOrEqual(before);
      expect(failed.data).toMatchObject({ willRetry: true });
      expect(failed.data).not.toHaveProperty('startedAt');
    });

    it('gives job.started the time the attempt started, not the time it was sent', async () => {
      const before = Date.now();
      const run = delayed.run(fakeJob().job, after(AFTER + 10, { ok: true }));
      await jest.advanceTimersByTimeAsync(AFTER + 10);
      await run;
      const started = events.on(s.events(jobId))[0] as unknown as { occurredAt: string; data: { startedAt: string } };
      expect(Date.parse(started.data.startedAt)).toBeLessThan(before + AFTER);
      expect(Date.parse(started.occurredAt)).toBeGreaterThanOrEqual(before + AFTER);
    });

    it('fails the attempt when started could not be stored, and still reports the failure', async () => {
      let calls = 0;
      const flaky = strictFake<RecordingEventPublisher>('EventPublisher', {
        publish: async (subject: string, event: unknown) => {
          if (++calls === 1) throw new Error('JetStream unavailable');
          return events.publish(subject, event as never);
        },
      });
      const r = new JobRunner(flaky, strictFake<ObjectStorage>('ObjectStorage', {}), s, new Metrics('test'), { RESULT_INLINE_MAX_BYTES: INLINE_MAX, STARTED_EVENT_AFTER_MS: AFTER } as AppConfig);
      const run = r.run(fakeJob().job, after(AFTER + 10, { ok: true }));
      const settled = run.catch((e: Error) => e);
      await jest.advanceTimersByTimeAsync(AFTER + 10);
      expect(String(await settled)).toContain('JetStream unavailable');
      expect(eventTypes()).toEqual(['job.failed']); // started never stored; the failure still is
    });
  });

  describe('progress', () => {
    async function runReporting(report: (ctx: JobContext) => Promise<void>) {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
      const { job, progress } = fakeJob();
      await runner.run(job, handlerDoing(async (_, ctx) => {
        await report(ctx);
        return {};
      }));
      const reported = events.on(s.events(jobId)).filter((e) => e.type === 'job.progress').map((e) => (e.data as { progress: number }).progress);
      return { reported, progress };
    }

    it('drops reports that come faster than the throttle window', async () => {
      const { reported } = await runReporting(async (ctx) => {
        await ctx.reportProgress(10);
        await ctx.reportProgress(20);
        await ctx.reportProgress(30);
      });

      expect(reported).toEqual([10]);
    });

    it('reports again once the throttle window has passed', async () => {
      const { reported } = await runReporting(async (ctx) => {
        await ctx.reportProgress(10);
        jest.advanceTimersByTime(250);
        await ctx.reportProgress(20);
      });

      expect(reported).toEqual([10, 20]);
    });

    it('never drops the 100 % report', async () => {
      const { reported } = await runReporting(async (ctx) => {
        await ctx.reportProgress(50);
        await ctx.reportProgress(100);
      });

      expect(reported).toEqual([50, 100]);
    });

    it('rounds and clamps what it reports, to BullMQ and in the event alike', async () => {
      const { reported, progress } = await runReporting(async (ctx) => {
        await ctx.reportProgress(-5);
        jest.advanceTimersByTime(250);
        await ctx.reportProgress(42.6);
        jest.advanceTimersByTime(250);
        await ctx.reportProgress(180);
      });

      expect(reported).toEqual([0, 43, 100]);
      expect(progress).toEqual(reported);
    });
  });
});
