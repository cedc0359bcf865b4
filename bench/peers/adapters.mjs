// The peers of bench/cases/peers.bench.mjs: one adapter per job-queue library from npm, with the
// same few operations, so bench/peers/api.mjs (submit), bench/peers/worker.mjs (no-op worker)
// and the case (pre-fill, jobs left) drive them alike. Each library runs with its defaults except
// 3 attempts per job (as the bare's BullMQ options) and, for pg-boss, its shortest polling interval.
//   open({ peer, queue, databaseUrl, redisUrl, prefix, role: 'api' | 'worker' | 'admin' }) →
//     { enqueue(data) → id, prefill(n), left() → jobs not yet finished, work(concurrency),
//       done(id) → whether that job completed, close() }
// Postgres peers make their schema in the case's database (pg-boss: `pgboss`, graphile-worker:
// `graphile_worker`); Redis peers keep their keys under `prefix:`.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../package.json', import.meta.url));
export const PEERS = ['pg-boss', 'graphile-worker', 'bull', 'bee-queue'];
export const VERSIONS = Object.fromEntries(PEERS.map((p) => [p, require(`${p}/package.json`).version]));
const POOL_MAX = 10; // the bare api's pg pool (DATABASE_POOL_MAX default)
const redisOptions = (url) => {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 6379) };
};

const adapters = {
  async 'pg-boss'({ queue, databaseUrl, role }) {
    const PgBoss = require('pg-boss');
    // The maintenance and cron timers are off for the benchmark's processes; the admin migrates.
    const boss = new PgBoss({ connectionString: databaseUrl, max: POOL_MAX, supervise: false, schedule: false, migrate: role === 'admin' });
    boss.on('error', (e) => console.error('pg-boss:', e.message));
    await boss.start();
    if (role === 'admin') await boss.createQueue(queue);
    return {
      enqueue: (data) => boss.send(queue, data, { retryLimit: 2 }),
      async prefill(n) {
        for (let i = 0; i < n; i += 1000) await boss.insert(Array.from({ length: Math.min(1000, n - i) }, () => ({ name: queue, data: { ms: 0 }, retryLimit: 2 })));
      },
      async left() {
        const { rows } = await boss.getDb().executeSql(`select count(*)::int n from pgboss.job where name = $1 and state in ('created', 'retry', 'active')`, [queue]);
        return rows[0].n;
      },
      done: async (id) => (await boss.getJobById(queue, id))?.state === 'completed',
      // pg-boss 10 has no per-job concurrency: a worker fetches a batch, runs it, then waits out
      // the rest of its polling interval (≥ 0.5 s). One worker with a batch of `concurrency`.
      work: (concurrency) => boss.work(queue, { batchSize: concurrency, pollingIntervalSeconds: 0.5 }, async (jobs) => jobs.map(() => ({ ok: true }))),
      close: () => boss.stop({ graceful: false, wait: false, close: true }),
    };
  },

  async 'graphile-worker'({ queue, databaseUrl, role }) {
    const { makeWorkerUtils, run } = require('graphile-worker');
    const logFactory = () => (level, message) => (level === 'error' ? console.error('graphile-worker:', message) : undefined);
    const { Logger } = require('graphile-worker');
    const logger = new Logger(logFactory);
    const utils = await makeWorkerUtils({ connectionString: databaseUrl, logger });
    if (role === 'admin') await utils.migrate();
    let runner;
    return {
      enqueue: async (data) => (await utils.addJob(queue, data, { maxAttempts: 3 })).id,
      async prefill(n) {
        await utils.withPgClient((c) =>
          c.query(
            `select graphile_worker.add_jobs(array(select json_populate_record(null::graphile_worker.job_spec,
               json_build_object('identifier', $1::text, 'payload', '{"ms":0}'::json, 'max_attempts', 3)) from generate_series(1, $2::int)))`,
            [queue, n],
          ),
        );
      },
      async left() {
        const { rows } = await utils.withPgClient((c) => c.query(`select count(*)::int n from graphile_worker.jobs where task_identifier = $1`, [queue]));
        return rows[0].n;
      },
      // graphile-worker deletes a job once it succeeded: no row is done.
      async done(id) {
        const { rows } = await utils.withPgClient((c) => c.query('select 1 from graphile_worker.jobs where id = $1', [id]));
        return rows.length === 0;
      },
      async work(concurrency) {
        runner = await run({ connectionString: databaseUrl, concurrency, maxPoolSize: POOL_MAX, noHandleSignals: true, logger, taskList: { [queue]: async () => {} } });
      },
      async close() {
        if (runner) await runner.stop();
        await utils.release();
      },
    };
  },

  async bull({ queue, redisUrl, prefix }) {
    const Bull = require('bull');
    const q = new Bull(queue, { redis: redisOptions(redisUrl), prefix });
    await q.isReady();
    const opts = { attempts: 3, backoff: { type: 'exponential', delay: 1000 } };
    return {
      enqueue: async (data) => (await q.add(data, opts)).id,
      async prefill(n) {
        for (let i = 0; i < n; i += 1000) await q.addBulk(Array.from({ length: Math.min(1000, n - i) }, () => ({ data: { ms: 0 }, opts })));
      },
      async left() {
        const c = await q.getJobCounts();
        return c.waiting + c.active + c.delayed + (c.paused ?? 0);
      },
      done: async (id) => (await (await q.getJob(id))?.isCompleted()) === true,
      work: async (concurrency) => void q.process(concurrency, async () => ({ ok: true })),
      close: () => q.close(),
    };
  },

  async 'bee-queue'({ queue, redisUrl, prefix, role }) {
    const Queue = require('bee-queue');
    // The api and the admin only add: no worker role, no event subscription, no job objects kept.
    const q = new Queue(queue, { redis: redisOptions(redisUrl), prefix, isWorker: role === 'worker', getEvents: false, storeJobs: role === 'worker' });
    await q.ready();
    return {
      enqueue: async (data) => (await q.createJob(data).retries(2).save()).id,
      async prefill(n) {
        for (let i = 0; i < n; i += 1000) await q.saveAll(Array.from({ length: Math.min(1000, n - i) }, () => q.createJob({ ms: 0 }).retries(2)));
      },
      async left() {
        const c = await q.checkHealth();
        return c.waiting + c.active + c.delayed;
      },
      done: async (id) => (await q.getJob(id))?.status === 'succeeded',
      work: async (concurrency) => void q.process(concurrency, async () => ({ ok: true })),
      close: () => q.close(1000),
    };
  },
};

export async function open(opts) {
  const make = adapters[opts.peer];
  if (!make) throw new Error(`unknown peer ${opts.peer} (one of ${PEERS.join(', ')})`);
  return make(opts);
}
