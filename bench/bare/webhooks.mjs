// Bare webhook sender: N undici POSTs of a webhook-sized JSON body to URL, CONCURRENCY at a
// time (the notifier's delivery concurrency), then exits. Env: URL, N, CONCURRENCY.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../package.json', import.meta.url));
const { Agent, request } = require('undici');
const n = Number(process.env.N);
const agent = new Agent({ connections: Number(process.env.CONCURRENCY) });
const body = JSON.stringify({ type: 'job.completed', timestamp: new Date().toISOString(), data: { id: crypto.randomUUID(), type: 'noop', status: 'completed', error: null, result_url: 'http://127.0.0.1:3000/v1/jobs/x/result', finished_at: new Date().toISOString() } });
let next = 0;
async function sender() {
  while (next < n) {
    next++;
    const r = await request(process.env.URL, { method: 'POST', body, headers: { 'content-type': 'application/json' }, dispatcher: agent });
    await r.body.dump();
  }
}
await Promise.all(Array.from({ length: Number(process.env.CONCURRENCY) }, sender));
await agent.close();
