// peers: where jobdesk's bare denominators stand against other job queues from npm — pg-boss,
// graphile-worker (PostgreSQL), Bull, bee-queue (Redis) — in the three shapes of the submit,
// worker and end-to-end cases, each in fresh processes (bench/peers/, adapters.mjs):
//   submit  bench/peers/api.mjs: bench/bare/api.mjs's POST /v1/jobs (Fastify, the same schema, 202)
//           enqueuing through the peer (pg-boss send, graphile-worker WorkerUtils.addJob, Bull
//           queue.add, bee-queue createJob().save()); autocannon, 50 connections, 1 s warm-up + D s
//   worker  JOBS pre-filled no-op jobs, bench/peers/worker.mjs drains them at concurrency 50
//           (jobs/s until empty or MAX_SECONDS)
//   chain   the e2e case's clients (50 in flight, each POSTs a no-op job and polls GET every
//           100 ms until it is completed) against api.mjs + worker.mjs of the peer; jobs/s
// Ratio = peer / bare of the same round (bare = bench/bare/api.mjs submit: INSERT + BullMQ add;
// bench/bare/worker.mjs: BullMQ no-op, concurrency 50; the bare chain of the e2e case). No
// goals: the rows report. The jobdesk product's own ratios to the same bare are the submit,
// worker and end-to-end cases' rows (not measured again here, to keep the run under 10 minutes).
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { NOOP_JOB, ROOT, QUICK, REDIS_URL, closedLoop, emit, freePort, log, prefilledNoopQueue, reportRow, row, runCase, spawnNode, startBare, warmCannon } from '../lib/bench.mjs';
import { PEERS, VERSIONS, open } from '../peers/adapters.mjs';

const ROUNDS = Number(process.env.BENCH_PAIRS || (QUICK ? 1 : 2));
const D = QUICK ? 1 : 2;
const JOBS = QUICK ? 1_000 : 6_000;
const MAX_SECONDS = QUICK ? 1 : 2;
const CONCURRENCY = 50;
const POLL_MS = 100; // as the e2e case
const chain = (baseUrl) => closedLoop({ baseUrl, body: NOOP_JOB, inFlight: 50, seconds: D, pollMs: POLL_MS });
const json = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'noop', input: { ms: 0 } }) };

async function startPeer(script, env) {
  const port = await freePort();
  const p = spawnNode(join(ROOT, 'bench/peers', `${script}.mjs`), { ...env, PORT: String(port) });
  try {
    await p.ready(`http://127.0.0.1:${port}/ready`, 30_000);
  } catch (e) {
    await p.stop();
    throw e;
  }
  return { baseUrl: `http://127.0.0.1:${port}`, stop: p.stop };
}

async function submit(baseUrl) {
  const r = await warmCannon({ url: `${baseUrl}/v1/jobs`, ...json, connections: 50, duration: D });
  if (r.non2xx || r.errors) throw new Error(`submit: ${JSON.stringify(r)}`);
  return r.rps;
}

/** Counts jobs finished per second from `go()` until none is left or MAX_SECONDS have passed. */
async function drain(left, go) {
  const before = await left();
  const t0 = performance.now();
  await go();
  let now = before;
  while (now > 0 && performance.now() - t0 < MAX_SECONDS * 1000) {
    await sleep(50);
    now = await left();
  }
  return (before - now) / ((performance.now() - t0) / 1000);
}

await runCase('peers', async (world) => {
  const base = (prefix) => ({ databaseUrl: world.db.url, redisUrl: REDIS_URL, prefix });
  const peerEnv = (peer, queue, prefix) => ({ PEER: peer, QUEUE: queue, DATABASE_URL: world.db.url, REDIS_URL, PREFIX: prefix, WORKER_CONCURRENCY: String(CONCURRENCY) });
  // Schemas first (pg-boss and graphile-worker migrate into the case's database), not timed.
  for (const peer of ['pg-boss', 'graphile-worker']) await (await open({ peer, queue: 'setup', ...base(world.prefix()), role: 'admin' })).close();

  const sides = {
    async bareSubmit() {
      const s = await startBare('api', world.env(world.prefix()));
      try { return await submit(s.baseUrl); } finally { await s.stop(); }
    },
    async bareWorker() {
      const prefix = world.prefix();
      const q = await prefilledNoopQueue(prefix, JOBS);
      const w = await startBare('worker', { ...world.env(prefix), WORKER_CONCURRENCY: String(CONCURRENCY) });
      const left = async () => {
        const c = await q.getJobCounts('wait', 'paused', 'active', 'prioritized');
        return c.wait + c.paused + c.active + c.prioritized;
      };
      try { return await drain(left, () => q.resume()); } finally { await w.stop(); await q.close(); }
    },
    async bareChain() {
      const env = { ...world.env(world.prefix()), WORKER_CONCURRENCY: String(CONCURRENCY), CHAIN: '1' };
      const api = await startBare('api', env);
      const w = await startBare('worker', env).catch(async (e) => { await api.stop(); throw e; });
      try { return (await chain(api.baseUrl)).jobsPerSec; } finally { await Promise.all([api.stop(), w.stop()]); }
    },
    async peerChain(peer, round) {
      const prefix = world.prefix();
      const queue = `chain_${round}`;
      const admin = await open({ peer, queue, ...base(prefix), role: 'admin' });
      try {
        const w = await startPeer('worker', peerEnv(peer, queue, prefix));
        try {
          const r = await fetch(`${w.baseUrl}/go`, { method: 'POST' });
          if (r.status !== 204) throw new Error(`${peer} worker: /go answered ${r.status}`);
          const s = await startPeer('api', peerEnv(peer, queue, prefix));
          try {
            const out = await chain(s.baseUrl);
            if (out.failed) throw new Error(`${peer} chain: ${out.failed} jobs failed`);
            return out.jobsPerSec;
          } finally { await s.stop(); }
        } finally { await w.stop(); }
      } finally { await admin.close(); }
    },
    async peerSubmit(peer, round) {
      const prefix = world.prefix();
      const queue = `submit_${round}`;
      const admin = await open({ peer, queue, ...base(prefix), role: 'admin' });
      try {
        const s = await startPeer('api', peerEnv(peer, queue, prefix));
        try { return await submit(s.baseUrl); } finally { await s.stop(); }
      } finally { await admin.close(); }
    },
    async peerWorker(peer, round) {
      const prefix = world.prefix();
      const queue = `worker_${round}`;
      const admin = await open({ peer, queue, ...base(prefix), role: 'admin' });
      try {
        await admin.prefill(JOBS);
        const w = await startPeer('worker', peerEnv(peer, queue, prefix));
        try {
          return await drain(admin.left, async () => {
            const r = await fetch(`${w.baseUrl}/go`, { method: 'POST' });
            if (r.status !== 204) throw new Error(`${peer} worker: /go answered ${r.status}`);
          });
        } finally { await w.stop(); }
      } finally { await admin.close(); }
    },
  };

  // Round r: bare submit, each peer's submit, bare worker, each peer's worker, bare chain, each
  // peer's chain (fresh processes).
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    const out = { submit: {}, worker: {}, chain: {} };
    log(`peers: round ${r + 1}/${ROUNDS} submit`);
    out.submit.bare = await sides.bareSubmit();
    for (const p of PEERS) out.submit[p] = await sides.peerSubmit(p, r);
    log(`peers: round ${r + 1}/${ROUNDS} worker`);
    out.worker.bare = await sides.bareWorker();
    for (const p of PEERS) out.worker[p] = await sides.peerWorker(p, r);
    log(`peers: round ${r + 1}/${ROUNDS} chain`);
    out.chain.bare = await sides.bareChain();
    for (const p of PEERS) out.chain[p] = await sides.peerChain(p, r);
    log(`peers: round ${r + 1}/${ROUNDS}`, JSON.stringify(out));
    rounds.push(out);
  }

  // row() pairs each peer's figure (the "product" column) with the same round's bare.
  const peerRow = (shape, peer, unit, note) => {
    const metric = `${peer} ${VERSIONS[peer]} ${shape}`;
    const pairs = { bare: rounds.map((o) => ({ [metric]: o[shape].bare })), product: rounds.map((o) => ({ [metric]: o[shape][peer] })) };
    return row('peers', metric, unit, pairs, null, note);
  };
  emit('peers', [
    ...PEERS.map((p, i) => peerRow('submit', p, 'req/s', i ? undefined : `POST JSON through the peer, 50 connections, ${D} s; bare = bench/bare/api.mjs (INSERT + BullMQ add); ${ROUNDS} rounds`)),
    ...PEERS.map((p, i) => peerRow('worker', p, 'jobs/s', i ? undefined : `pre-filled ${JOBS.toLocaleString('en')} no-op jobs, concurrency ${CONCURRENCY}, ≤ ${MAX_SECONDS} s; bare = bench/bare/worker.mjs (BullMQ); pg-boss 10 polls a batch of 50 every 0.5 s at most`)),
    ...PEERS.map((p, i) => peerRow('chain', p, 'jobs/s', i ? undefined : `no-op jobs end to end, 50 clients each POSTing and polling GET every ${POLL_MS} ms until completed, ${D} s; bare = the e2e case's bare chain`)),
    reportRow('peers', 'jobdesk: ratios to the same bare are the submit, worker and end-to-end rows', '-', null),
  ], { rounds });
});
