// status: GET /v1/jobs/{id} on a table of 1,000,000 jobs (10,000 with --quick), random seeded ids,
// 50 connections — gateway + job-tracker vs bench/bare/api.mjs doing one primary-key SELECT on
// the same `job` table (same rows, same pages), interleaved, fresh processes per side.
import { PAIRS, QUICK, emit, interleave, log, row, runCase, seedJobs, seededId, startApps, startBare, warmCannon } from '../lib/bench.mjs';

const ROWS = Number(process.env.BENCH_STATUS_ROWS || (QUICK ? 10_000 : 1_000_000));
const D = QUICK ? 2 : 3;
const ids = Array.from({ length: 20_000 }, () => seededId(1 + Math.floor(Math.random() * ROWS)));

async function measure(base) {
  let i = 0;
  const r = await warmCannon({
    url: base,
    connections: 50,
    duration: D,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/v1/jobs/${ids[i++ % ids.length]}` }) }],
  });
  if (r.non2xx || r.errors) throw new Error(`status: ${JSON.stringify(r)}`);
  return { rps: r.rps, p50: r.p50, p99: r.p99 };
}

await runCase('status', async (world) => {
  const t = Date.now();
  await seedJobs(world.db, 'job', ROWS);
  log(`status: seeded ${ROWS} jobs in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const pairs = await interleave('status', PAIRS,
    async () => {
      const s = await startBare('api', { ...world.env(world.prefix()), BARE_TABLE: 'job' });
      try { return await measure(s.baseUrl); } finally { await s.stop(); }
    },
    async () => {
      const s = await startApps(['job-tracker', 'gateway'], world.env(world.prefix()));
      try { return await measure(s.baseUrl); } finally { await s.stop(); }
    });
  emit('status', [
    row('status', 'rps', 'req/s', pairs, { op: '>=', ratio: 0.7 }, `GET on ${ROWS.toLocaleString('en')} jobs, 50 connections, ${D} s`),
    row('status', 'p99', 'ms', pairs, { op: '<=', ratio: 2 }),
  ], { rows_seeded: ROWS });
});
