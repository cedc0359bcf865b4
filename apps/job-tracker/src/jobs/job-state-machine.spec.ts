import type { WorkerEvent } from '@jobdesk/contracts';
import fc from 'fast-check';
import { JobState, nextState } from './job-state-machine';

const jobId = '0190a0a0-0000-7000-8000-000000000001';
let n = 0;
function ev(type: WorkerEvent['type'], attempt: number, extra: Record<string, unknown> = {}): WorkerEvent {
  return { id: `e${++n}`, type, version: 1, occurredAt: new Date().toISOString(), correlationId: 'c', data: { jobId, tenant: 't', attempt, ...extra } } as WorkerEvent;
}
const started = (a: number) => ev('job.started', a);
const progress = (a: number, p: number) => ev('job.progress', a, { progress: p });
const completed = (a: number) => ev('job.completed', a, { result: { key: `results/${jobId}.json`, contentType: 'application/json', size: 2 } });
const failed = (a: number, willRetry: boolean) => ev('job.failed', a, { willRetry, error: { code: 'worker_error', message: 'boom' } });

/** Folds events over a fresh job; returns the final state and the statuses it passed through. */
function run(events: WorkerEvent[]): { state: JobState; path: string[] } {
  let state: JobState = { status: 'queued', attempt: 0, progress: 0 };
  const path: string[] = [];
  for (const e of events) {
    const c = nextState(state, e);
    if (c) {
      if (c.status !== state.status) path.push(c.status);
      state = { status: c.status, attempt: c.attempt, progress: c.progress };
    }
  }
  return { state, path };
}

describe('job state machine', () => {
  it('takes an inline result body out of the result reference, into resultBody', () => {
    const inline = ev('job.completed', 1, { result: { contentType: 'application/json', size: 7, body: '{"a":1}' } });
    expect(nextState({ status: 'processing', attempt: 1, progress: 0 }, inline)).toEqual({
      status: 'completed', attempt: 1, progress: 100, error: null, result: { contentType: 'application/json', size: 7 }, resultBody: '{"a":1}',
    });
    expect(nextState({ status: 'processing', attempt: 1, progress: 0 }, completed(1))).not.toHaveProperty('resultBody');
  });

  it('follows the happy path', () => {
    expect(run([started(1), progress(1, 50), completed(1)])).toEqual({
      state: { status: 'completed', attempt: 1, progress: 100 },
      path: ['processing', 'completed'],
    });
  });

  it('retries then fails for good', () => {
    const r = run([started(1), failed(1, true), started(2), failed(2, true), started(3), failed(3, false)]);
    expect(r.state.status).toBe('failed');
    expect(r.state.attempt).toBe(3);
    expect(r.path).toEqual(['processing', 'queued', 'processing', 'queued', 'processing', 'failed']);
  });

  it('ignores every repeated event', () => {
    const once = run([started(1), progress(1, 40), failed(1, true), started(2), completed(2)]);
    const twice = run([started(1), started(1), progress(1, 40), progress(1, 40), failed(1, true), failed(1, true), started(2), started(2), completed(2), completed(2)]);
    expect(twice).toEqual(once);
  });

  it('never leaves a terminal status', () => {
    for (const end of [completed(1), failed(1, false)]) {
      const r = run([started(1), end, started(2), progress(2, 10), failed(2, true), completed(2)]);
      expect(r.path).toHaveLength(2);
    }
  });

  it('does not go back to processing when a stale start arrives after the retry was scheduled', () => {
    const r = run([started(1), failed(1, true), started(1)]);
    expect(r.state).toMatchObject({ status: 'queued', attempt: 1 });
  });

  it('ignores progress from an older attempt and progress that goes backwards', () => {
    const r = run([started(1), failed(1, true), started(2), progress(1, 90), progress(2, 30), progress(2, 20)]);
    expect(r.state).toEqual({ status: 'processing', attempt: 2, progress: 30 });
  });

  it('accepts a completion whose start was never seen', () => {
    expect(run([completed(1)]).state.status).toBe('completed');
  });

  it('lets a newer attempt start even when the older failure was lost', () => {
    expect(run([started(1), started(2)]).state).toMatchObject({ status: 'processing', attempt: 2 });
  });

  it('reaches the same end whatever order a finished attempt\'s events arrive in', () => {
    const events = [started(1), progress(1, 50), completed(1)];
    const orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
    for (const o of orders) expect(run(o.map((i) => events[i])).state.status).toBe('completed');
  });
});

describe('job state machine under redelivery and reordering (property)', () => {
  // What at-least-once delivery does to a job's history: any event may come again, any order.
  // A history: attempts 1..k-1 fail with a retry, attempt k ends (completed, or failed for good).
  const history = fc.record({ attempts: fc.integer({ min: 1, max: 4 }), succeeds: fc.boolean() }).map(({ attempts, succeeds }) => {
    const events: WorkerEvent[] = [];
    for (let a = 1; a <= attempts; a++) {
      events.push(started(a), progress(a, 40));
      if (a < attempts) events.push(failed(a, true));
      else events.push(succeeds ? completed(a) : failed(a, false));
    }
    return { events, end: succeeds ? 'completed' : 'failed' };
  });
  const delivered = history.chain(({ events, end }) =>
    fc
      .array(fc.nat({ max: events.length - 1 }), { minLength: events.length, maxLength: events.length * 3 })
      .map((extra) => ({ end, stream: [...events, ...extra.map((i) => events[i])] }))
      .chain(({ end, stream }) => fc.shuffledSubarray(stream, { minLength: stream.length, maxLength: stream.length }).map((s) => ({ end, stream: s }))),
  );

  it('ends exactly once, in the status the history ends in, whatever the duplicates and the order', () => {
    fc.assert(
      fc.property(delivered, ({ end, stream }) => {
        const { state, path } = run(stream);
        expect(state.status).toBe(end);
        expect(path.filter((s) => s === 'completed' || s === 'failed')).toEqual([end]);
      }),
      { numRuns: 500 },
    );
  });

  it('reaches the end exactly once when every event of the history arrives, in order, each at least once', () => {
    fc.assert(
      fc.property(history, fc.array(fc.nat({ max: 2 }), { minLength: 20, maxLength: 20 }), ({ events, end }, repeats) => {
        const stream = events.flatMap((e, i) => Array.from({ length: 1 + (repeats[i % repeats.length] ?? 0) }, () => e));
        const { state, path } = run(stream);
        expect(state.status).toBe(end);
        expect(path.filter((s) => s === end)).toHaveLength(1);
      }),
      { numRuns: 300 },
    );
  });
});
