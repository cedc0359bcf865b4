// webhooks: deliveries per second into one local receiver (this process, 204 to every POST).
// Product: N JobFinishedNotifications with a webhook pre-published to the NOTIFY stream, then
// the notifier (fresh process) sends each one's first attempt straight from its JetStream fan-out
// (BullMQ only for retries), signed with the tenant's secret (asked of job-tracker, which runs
// beside it, and cached for a few seconds), and job-tracker stores each attempt in the delivery log.
// Bare: bench/bare/webhooks.mjs, the same N undici POSTs at the notifier's concurrency (16).
// Rate, the same way on both sides: the arrivals after the first 10 % of N (warm-up: connections,
// JIT, the notifier's first secret look-up), until the last of the N arrived or WINDOW seconds
// passed, divided by that span. (A window that started a fixed 0.5 s after the first arrival was
// empty for the bare sender, which delivers all N in well under 0.5 s.)
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BARE, NATS_URL, PAIRS, QUICK, emit, interleave, require, requireDist, row, runCase, spawnNode, startApps } from '../lib/bench.mjs';

const N = QUICK ? 1_000 : 3_000;
const WINDOW = QUICK ? 2 : 3;
const CONCURRENCY = 16;
const { connect } = require('nats');
const { subjects } = requireDist('libs/contracts/src/index.js');
const { ensureStreams } = requireDist('libs/messaging/src/index.js');

let arrivals = [];
const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    arrivals.push(performance.now());
    res.statusCode = 204;
    res.end();
  });
});
await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${receiver.address().port}/hook`;

const WARM = Math.ceil(N / 10);

async function measure() {
  const deadline = performance.now() + 60_000;
  while (arrivals.length < WARM && performance.now() < deadline) await sleep(5);
  if (arrivals.length < WARM) throw new Error(`only ${arrivals.length} of the first ${WARM} webhooks arrived in 60 s`);
  const from = arrivals[WARM - 1];
  const until = from + WINDOW * 1000;
  while (performance.now() < until && arrivals.length < N) await sleep(5);
  const to = arrivals.length >= N ? arrivals[N - 1] : until;
  const counted = arrivals.filter((t) => t > from && t <= to).length;
  if (!counted || to <= from) throw new Error(`webhooks: nothing to count after the first ${WARM} arrivals (${arrivals.length} arrived)`);
  return { perSec: counted / ((to - from) / 1000), counted, spanMs: Math.round(to - from), arrived: arrivals.length };
}

async function prefill(prefix) {
  const s = subjects(prefix);
  const nc = await connect({ servers: NATS_URL });
  await ensureStreams(nc, s);
  const js = nc.jetstream();
  const now = new Date().toISOString();
  for (let i = 0; i < N; i += 500) {
    await Promise.all(Array.from({ length: Math.min(500, N - i) }, () => {
      const jobId = randomUUID();
      const n = { id: randomUUID(), type: 'job.finished', version: 1, occurredAt: now, correlationId: randomUUID(),
        data: { jobId, tenant: 'default', type: 'noop', status: 'completed', error: null, result: { key: `results/${jobId}.json`, contentType: 'application/json', size: 40 }, finishedAt: now, notify: { webhook: url }, redelivery: 0 } };
      return js.publish(s.notify(jobId), JSON.stringify(n));
    }));
  }
  await nc.close();
}

await runCase('webhooks', async (world) => {
  const pairs = await interleave('webhooks', PAIRS,
    async () => {
      arrivals = [];
      const p = spawnNode(join(BARE, 'webhooks.mjs'), { URL: url, N: String(N), CONCURRENCY: String(CONCURRENCY) });
      try { return await measure(); } finally { await p.stop(); }
    },
    async () => {
      arrivals = [];
      const prefix = world.prefix();
      await prefill(prefix);
      const s = await startApps(['job-tracker', 'notifier'], { ...world.env(prefix), WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
      try { return await measure(); } finally { await s.stop(); }
    });
  receiver.close();
  emit('webhooks', [row('webhooks', 'perSec', 'deliveries/s', pairs, { op: '>=', ratio: 0.7 }, `${N.toLocaleString('en')} notifications on both sides (product: pre-published), concurrency ${CONCURRENCY}; arrivals after the first 10 % until the last or ${WINDOW} s`)]);
});
