// Where a job's CPU goes: N noop jobs through the product (gateway + job-tracker + email-worker,
// 50 in flight, POST then wait for 'completed' on the status subject) and through the bare chain,
// with the CPU time each process used (apps, PostgreSQL, Redis, NATS) divided by N. Not a ratio
// case: a diagnostic for finding the next thing to make cheaper.
//   node bench/cpu-per-job.mjs [N]      (BENCH_DIST=… for another build)
import { readFileSync, readdirSync } from 'node:fs';
import { NATS_URL, NOOP_JOB, log, require, requireDist, runCase, startApps, startBare } from './lib/bench.mjs';

const N = Number(process.argv[2] || 5000);
const { connect } = require('nats');
const { Agent, request } = require('undici');
const { subjects } = requireDist('libs/contracts/src/index.js');
const TICK = 100; // clock ticks per second (getconf CLK_TCK)

const cpuOf = (pid) => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) / TICK) * 1000; // utime + stime, ms
  } catch {
    return 0;
  }
};
const byName = (name) =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/comm`, 'utf8').trim() === name;
      } catch {
        return false;
      }
    });
const servers = () => ({ postgres: byName('postgres'), redis: byName('redis-server'), nats: byName('nats-server') });

async function drive(baseUrl, prefix) {
  const nc = await connect({ servers: NATS_URL });
  const done = new Set();
  let wake;
  nc.subscribe(subjects(prefix).statusAll, {
    callback: (err, m) => {
      if (err) return;
      const msg = m.json();
      if (msg.status === 'completed') done.add(msg.jobId ?? msg.id);
      wake?.();
    },
  });
  await nc.flush();
  const agent = new Agent({ connections: 64 });
  const body = JSON.stringify(NOOP_JOB);
  let sent = 0;
  const client = async () => {
    while (sent < N) {
      sent++;
      const res = await request(`${baseUrl}/v1/jobs`, { method: 'POST', body, headers: { 'content-type': 'application/json' }, dispatcher: agent });
      await res.body.dump();
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 50 }, client));
  while (done.size < N && performance.now() - t0 < 120_000) await new Promise((r) => ((wake = r), setTimeout(r, 50)));
  const seconds = (performance.now() - t0) / 1000;
  await agent.close();
  await nc.close();
  return { seconds, completed: done.size };
}

async function measure(label, procs, baseUrl, prefix) {
  // PostgreSQL forks a backend per connection: processes that appear during the run count from 0.
  const before = { ...procs, ...servers() };
  const cpuBefore = new Map(Object.values(before).flat().map((p) => [p, cpuOf(p)]));
  const r = await drive(baseUrl, prefix);
  const groups = { ...procs, ...servers() };
  const cpuAfter = new Map(Object.values(groups).flat().map((p) => [p, cpuOf(p)]));
  const sum = (k, m) => groups[k].reduce((a, p) => a + (m.get(p) ?? 0), 0);
  const after = Object.fromEntries(Object.keys(groups).map((k) => [k, sum(k, cpuAfter)]));
  const beforeSum = Object.fromEntries(Object.keys(groups).map((k) => [k, sum(k, cpuBefore)]));
  console.log(`\n${label}: ${r.completed}/${N} completed in ${r.seconds.toFixed(1)} s (${(r.completed / r.seconds).toFixed(0)} jobs/s); CPU per job:`);
  let total = 0;
  for (const k of Object.keys(groups)) {
    const us = ((after[k] - beforeSum[k]) / N) * 1000;
    total += us;
    console.log(`  ${k.padEnd(14)} ${us.toFixed(0).padStart(6)} µs`);
  }
  console.log(`  ${'total'.padEnd(14)} ${total.toFixed(0).padStart(6)} µs`);
}

await runCase('cpu', async (world) => {
  {
    const prefix = world.prefix();
    const env = { ...world.env(prefix), DATABASE_POOL_MAX: '10', WORKER_CONCURRENCY: '50' };
    const api = await startBare('api', env);
    const worker = await startBare('worker', { ...env, CHAIN: '1' });
    try {
      await measure('bare chain', { api: [api.proc.child.pid], worker: [worker.proc.child.pid] }, api.baseUrl, prefix);
    } finally {
      await api.stop();
      await worker.stop();
    }
  }
  {
    const prefix = world.prefix();
    const apps = await startApps(['gateway', 'job-tracker', 'email-worker'], { ...world.env(prefix), WORKER_CONCURRENCY: '50' });
    try {
      await measure('product', Object.fromEntries(Object.entries(apps.procs).map(([k, p]) => [k, [p.child.pid]])), apps.baseUrl, prefix);
    } finally {
      await apps.stop();
    }
  }
  log('done');
});
