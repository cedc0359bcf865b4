// end to end: noop jobs, 50 clients in flight, each POSTs a job and polls GET until it is
// completed. Product: gateway + job-tracker + email-worker (hosts noop), WORKER_CONCURRENCY=50.
// Bare chain: bench/bare/api.mjs (INSERT + add, PK SELECT) + bench/bare/worker.mjs CHAIN=1
// (BullMQ worker → UPDATE → NATS publish). Interleaved, fresh processes per side.
import { NOOP_JOB, PAIRS, QUICK, closedLoop, emit, interleave, row, runCase, startApps, startBare } from '../lib/bench.mjs';

const SECONDS = QUICK ? 3 : 4;
// Each client polls its job every POLL_MS: 50 clients offer up to 500 GET/s besides the POSTs.
const POLL_MS = 100;
const load = (baseUrl) => closedLoop({ baseUrl, body: NOOP_JOB, inFlight: 50, seconds: SECONDS, pollMs: POLL_MS });

await runCase('e2e', async (world) => {
  const pairs = await interleave('end to end', PAIRS,
    async () => {
      const env = { ...world.env(world.prefix()), WORKER_CONCURRENCY: '50', CHAIN: '1' };
      const api = await startBare('api', env);
      const worker = await startBare('worker', env).catch(async (e) => { await api.stop(); throw e; });
      try { return await load(api.baseUrl); } finally { await Promise.all([api.stop(), worker.stop()]); }
    },
    async () => {
      const s = await startApps(['job-tracker', 'email-worker', 'gateway'], { ...world.env(world.prefix()), WORKER_CONCURRENCY: '50' });
      try { return await load(s.baseUrl); } finally { await s.stop(); }
    });
  for (const side of [...pairs.bare, ...pairs.product]) if (side.failed) throw new Error(`end to end: failed jobs ${JSON.stringify(side)}`);
  emit('e2e', [
    row('end to end', 'jobsPerSec', 'jobs/s', pairs, { op: '>=', ratio: 1.05 }, `noop, 50 in flight, poll every ${POLL_MS} ms, ${SECONDS} s`),
    row('end to end', 'p50', 'ms', pairs, null, 'submit → completed seen by the client'),
    row('end to end', 'p99', 'ms', pairs, null),
  ]);
});
