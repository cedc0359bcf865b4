// Bare denominator for submit, upload, status and the end-to-end chain: Fastify, one pg pool,
// one BullMQ queue — no NestJS, no NATS hop, no ORM. Same durability as the product: every 202
// follows a committed INSERT (synchronous_commit on, autocommit) and a BullMQ add.
//   POST /v1/jobs     JSON {type, input}: schema-validate, INSERT into bare_job, add, 202
//   POST /v1/uploads  multipart (file): stream to STORAGE_DIR, INSERT, add, 202
//   GET  /v1/jobs/:id  one primary-key SELECT
// Env: PORT, DATABASE_URL, REDIS_URL, QUEUE_PREFIX, STORAGE_DIR, BENCH_DIST, DATABASE_POOL_MAX.
import { createRequire } from 'node:module';
import { SUBMIT_SCHEMA } from '../lib/bench.mjs';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';

const require = createRequire(new URL('../../package.json', import.meta.url));
const Fastify = require('fastify');
const { Pool } = require('pg');
const { Queue } = require('bullmq');
const { jobOptions } = require(join(process.env.BENCH_DIST, 'libs/queue/src/queue-options.js'));

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_MAX || 10) });
const u = new URL(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
const connection = { host: u.hostname, port: Number(u.port || 6379), maxRetriesPerRequest: null };
const queues = new Map();
const queue = (type) => {
  if (!queues.has(type)) queues.set(type, new Queue(type, { connection, prefix: process.env.QUEUE_PREFIX }));
  return queues.get(type);
};
const storageDir = process.env.STORAGE_DIR;
// The status case reads the product's seeded `job` table itself: same rows, same pages.
const table = process.env.BARE_TABLE || 'bare_job';
mkdirSync(join(storageDir, 'bare'), { recursive: true });

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
await app.register(require('@fastify/multipart'), { limits: { fileSize: 10 * 1024 * 1024, files: 1 } });

async function accept(reply, type, input) {
  const id = randomUUID();
  const now = new Date();
  await pool.query(
    `insert into bare_job (id, tenant, type, status, max_attempts, priority, input, correlation_id, created_at, updated_at)
     values ($1, 'default', $2, 'queued', 3, 0, $3, $4, $5, $5)`,
    [id, type, input, randomUUID(), now],
  );
  const data = { jobId: id, tenant: 'default', type, input, correlationId: id, attemptBase: 0, timeoutMs: null };
  await queue(type).add(type, data, jobOptions(type, { jobId: id, backoffFactor: 1 }));
  reply.code(202).header('location', `/v1/jobs/${id}`);
  return { id, type, status: 'queued', created_at: now.toISOString() };
}


app.post('/v1/uploads', async (req, reply) => {
  if (req.isMultipart()) {
    let file;
    let type = 'resume.parse';
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        const key = `bare/${randomUUID()}`;
        await pipeline(part.file, createWriteStream(join(storageDir, key)));
        if (part.file.truncated) return reply.code(413).send({ code: 'payload_too_large' });
        file = { key, filename: part.filename, contentType: part.mimetype, format: 'pdf', size: part.file.bytesRead };
      } else if (part.fieldname === 'type') type = part.value;
    }
    if (!file) return reply.code(400).send({ code: 'missing_file' });
    return accept(reply, type, { kind: 'file', file });
  }
  return reply.code(415).send({ code: 'unsupported_media_type' });
});
app.post('/v1/jobs', { schema: SUBMIT_SCHEMA }, async (req, reply) => accept(reply, req.body.type, { kind: 'json', data: req.body.input }));

app.get('/v1/jobs/:id', async (req, reply) => {
  const { rows } = await pool.query(`select id, type, status, progress, attempt, result, error, created_at, updated_at from ${table} where id = $1`, [req.params.id]);
  if (!rows.length) return reply.code(404).send({ code: 'not_found' });
  return rows[0];
});
app.get('/ready', async () => {
  await pool.query('select 1');
  return { ok: true };
});

const close = async () => {
  await app.close();
  await Promise.all([...queues.values()].map((q) => q.close()));
  await pool.end();
  process.exit(0);
};
process.on('SIGTERM', close);
process.on('SIGINT', close);
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
