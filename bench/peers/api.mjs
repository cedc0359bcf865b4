// Peer submit server: bench/bare/api.mjs's POST /v1/jobs (Fastify, the same JSON-schema
// validation, 202 with an id) enqueuing through PEER instead of INSERT + BullMQ add. The peer's
// own record is the only one: a row in its table for pg-boss and graphile-worker (committed
// before the 202), a Redis hash for Bull and bee-queue. GET /v1/jobs/{id} asks the peer whether
// the job completed (the chain shape). GET /ready once the peer is connected.
// Env: PORT, PEER, QUEUE, DATABASE_URL, REDIS_URL, PREFIX.
import { createRequire } from 'node:module';
import { SUBMIT_SCHEMA } from '../lib/bench.mjs';
import { randomUUID } from 'node:crypto';
import { open } from './adapters.mjs';

const require = createRequire(new URL('../../package.json', import.meta.url));
const Fastify = require('fastify');
const peer = await open({ peer: process.env.PEER, queue: process.env.QUEUE, databaseUrl: process.env.DATABASE_URL, redisUrl: process.env.REDIS_URL, prefix: process.env.PREFIX, role: 'api' });


const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
app.post('/v1/jobs', { schema: SUBMIT_SCHEMA }, async (req, reply) => {
  const now = new Date();
  const id = await peer.enqueue({ type: req.body.type, input: { kind: 'json', data: req.body.input }, tenant: 'default', correlationId: randomUUID() });
  reply.code(202).header('location', `/v1/jobs/${id}`);
  return { id: String(id), type: req.body.type, status: 'queued', created_at: now.toISOString() };
});
// The chain shape's status read: completed once the peer says so, queued until then.
app.get('/v1/jobs/:id', async (req) => ({ id: req.params.id, status: (await peer.done(req.params.id)) ? 'completed' : 'queued' }));
app.get('/ready', async () => ({ ok: true }));
const close = async () => {
  await app.close();
  await peer.close();
  process.exit(0);
};
process.on('SIGTERM', close);
process.on('SIGINT', close);
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
