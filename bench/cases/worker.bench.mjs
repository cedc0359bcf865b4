// worker: a pre-filled, paused noop queue; start the worker (fresh process), resume, count the
// jobs it finishes per second. Product: email-worker (JobRunner: started/completed events to
// JetStream, result to storage), WORKER_CONCURRENCY=50. Bare: bench/bare/worker.mjs, a BullMQ
// no-op processor at concurrency 50. Same job data and options on both sides.
import { PAIRS, QUICK, emit, interleave, log, prefilledNoopQueue, row, runCase, startApps, startBare } from '../lib/bench.mjs';
import { setTimeout as sleep } from 'node:timers/promises';

const JOBS = QUICK ? 3_000 : 8_000;
const MAX_SECONDS = QUICK ? 2 : 3;

const left = async (q) => {
  const c = await q.getJobCounts('wait', 'paused', 'active', 'prioritized');
  return c.wait + c.paused + c.active + c.prioritized;
};

/** Resumes the queue and counts finished jobs until it is empty or MAX_SECONDS have passed. */
async function drain(q) {
  const before = await left(q);
  const t0 = performance.now();
  await q.resume();
  let now = before;
  while (now > 0 && performance.now() - t0 < MAX_SECONDS * 1000) {
    await sleep(50);
    now = await left(q);
  }
  const seconds = (performance.now() - t0) / 1000;
  return { jobsPerSec: (before - now) / seconds, done: before - now };
}

await runCase('worker', async (world) => {
  const side = (start) => async () => {
    const prefix = world.prefix();
    const q = await prefilledNoopQueue(prefix, JOBS);
    const s = await start({ ...world.env(prefix), WORKER_CONCURRENCY: '50' });
    try { return await drain(q); } finally { await s.stop(); await q.close(); }
  };
  const pairs = await interleave('worker', PAIRS, side((env) => startBare('worker', env)), side((env) => startApps(['email-worker'], env)));
  log('worker: done', JSON.stringify(pairs));
  emit('worker', [row('worker', 'jobsPerSec', 'jobs/s', pairs, { op: '>=', ratio: 0.8 }, `pre-filled ${JOBS.toLocaleString('en')} noop jobs, concurrency 50, ≤ ${MAX_SECONDS} s`)]);
});
