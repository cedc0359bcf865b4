// Peer no-op worker: connects to PEER's QUEUE and serves GET /ready; starts processing at
// WORKER_CONCURRENCY (50) on POST /go, so the case times the drain and not the connect (what the
// library does to start its workers, e.g. graphile-worker's run(), is inside the timed window).
// Env: PORT, PEER, QUEUE, WORKER_CONCURRENCY, DATABASE_URL, REDIS_URL, PREFIX.
import { createServer } from 'node:http';
import { open } from './adapters.mjs';

const peer = await open({ peer: process.env.PEER, queue: process.env.QUEUE, databaseUrl: process.env.DATABASE_URL, redisUrl: process.env.REDIS_URL, prefix: process.env.PREFIX, role: 'worker' });
const concurrency = Number(process.env.WORKER_CONCURRENCY || 50);
let started = false;
const http = createServer(async (req, res) => {
  if (req.method === 'POST' && req.url === '/go') {
    if (!started) {
      started = true;
      await peer.work(concurrency);
    }
    res.statusCode = 204;
  }
  res.end();
}).listen(Number(process.env.PORT), '127.0.0.1');
const close = async () => {
  http.close();
  await peer.close();
  process.exit(0);
};
process.on('SIGTERM', close);
process.on('SIGINT', close);
