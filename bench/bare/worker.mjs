// Bare BullMQ worker: no-op processor at WORKER_CONCURRENCY (50). With CHAIN=1 it is the worker
// half of the bare end-to-end chain: UPDATE bare_job to completed, then a NATS publish.
// Serves GET /ready on PORT once the worker is running. Env: PORT, REDIS_URL, QUEUE_PREFIX,
// QUEUE (default noop), WORKER_CONCURRENCY, CHAIN, DATABASE_URL, NATS_URL.
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { resolve } from 'node:path';

const require = createRequire(new URL('../../package.json', import.meta.url));
const { Worker } = require('bullmq');
const u = new URL(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
const connection = { host: u.hostname, port: Number(u.port || 6379), maxRetriesPerRequest: null };
const chain = process.env.CHAIN === '1';

let processor = async () => ({ ok: true });
let pool;
let nc;
if (chain) {
  const { Pool } = require('pg');
  const { connect, StringCodec } = require('nats');
  pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_MAX || 10) });
  nc = await connect({ servers: process.env.NATS_URL || 'nats://127.0.0.1:4222' });
  const sc = StringCodec();
  processor = async (job) => {
    const id = job.data.jobId;
    await pool.query(`update bare_job set status = 'completed', progress = 100, attempt = attempt + 1, updated_at = now(), finished_at = now() where id = $1`, [id]);
    nc.publish(`${process.env.QUEUE_PREFIX}.status.default.${id}`, sc.encode(JSON.stringify({ id, status: 'completed' })));
    return { ok: true };
  };
}

const worker = new Worker(process.env.QUEUE || 'noop', processor, {
  connection,
  prefix: process.env.QUEUE_PREFIX,
  concurrency: Number(process.env.WORKER_CONCURRENCY || 50),
});
await worker.waitUntilReady();
const http = createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');
const close = async () => {
  http.close();
  await worker.close();
  if (pool) await pool.end();
  if (nc) await nc.close();
  process.exit(0);
};
process.on('SIGTERM', close);
process.on('SIGINT', close);
