// Product side of the parse bench's serial timing (piscina worker): the service's own parser
// thread entry (dist/.../parser.worker.js, which sets the thread up as in production), timed
// inside the thread so figures are parse time, not cross-thread scheduling.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { workerData } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const mod = require(workerData.distWorker);
const parseTask = typeof mod === 'function' ? mod : mod.default;

export default async function timedParse(task) {
  const t0 = performance.now();
  const out = await parseTask(task);
  const ms = performance.now() - t0;
  if (out && 'error' in out) return { ms, error: out.error };
  return { ms, pages: out.meta?.pages ?? null };
}
