// Shared by every bench case: launching the built apps and the bare servers, load generation,
// statistics and the JSON a case hands back to bench/run.mjs. Nothing here measures by itself.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const require = createRequire(join(ROOT, 'package.json'));
/** The built product; bench/run.mjs points this at a snapshot so a concurrent `npm run build` cannot pull it away. */
export const DIST = resolve(process.env.BENCH_DIST || join(ROOT, 'dist'));
export const BARE = join(ROOT, 'bench/bare');

const argv = process.argv.slice(2);
export const QUICK = argv.includes('--quick') || process.env.BENCH_QUICK === '1';
export const PAIRS = Number(process.env.BENCH_PAIRS || (QUICK ? 1 : 5));
export const PG_SERVER = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
export const NATS_URL = process.env.NATS_URL || 'nats://127.0.0.1:4222';
export const { Client: PgClient } = require('pg');
export const log = (...a) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...a);

export function requireDist(rel) {
  const p = join(DIST, rel);
  if (!existsSync(p)) throw new Error(`${p} not found — run npm run build first`);
  return require(p);
}

// ---- statistics ---------------------------------------------------------------------------

export const median = (xs) => percentile(xs, 50);
export function percentile(xs, p) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const i = (p / 100) * (s.length - 1);
  const lo = Math.floor(i);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (i - lo);
}
export const round = (x, d = 1) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null);

// ---- processes ----------------------------------------------------------------------------

export async function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
    srv.on('error', rej);
  });
}

export function uniquePrefix(tag) {
  return `bench${tag}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/** Resident set size of a process in MB (Linux /proc). */
export function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

async function waitHttp(url, child, out, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}\n${out.join('').slice(-3000)}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not yet */
    }
    await sleep(100);
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms\n${out.join('').slice(-3000)}`);
}

/**
 * Spawns `node script`, keeps the last output for errors. stop() kills it (SIGKILL): a measured
 * side is over, and a graceful drain would only spend the next side's time on this one.
 */
export function spawnNode(script, env, args = []) {
  const out = [];
  // BENCH_PROFILE=DIR: every process writes a V8 CPU profile to DIR (it is stopped with SIGTERM
  // so that the profile gets written).
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = spawn(process.execPath, [...profile, script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (d) => {
    out.push(String(d));
    if (out.length > 200) out.splice(0, out.length - 200);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const stop = () =>
    new Promise((res) => {
      if (child.exitCode !== null || child.signalCode !== null) return res();
      child.once('exit', () => res());
      if (!profile.length) return child.kill('SIGKILL');
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    });
  return { child, out, stop, ready: (url, ms) => waitHttp(url, child, out, ms) };
}

// ---- isolated resources: a database, a queue/NATS prefix, a storage folder ------------------

/** A fresh database with the product's schema (migrated by the built job-tracker) and the bare tables. */
export async function createBenchDatabase(tag) {
  const name = `${uniquePrefix(tag)}`.toLowerCase();
  const admin = new PgClient({ connectionString: PG_SERVER });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const u = new URL(PG_SERVER);
  u.pathname = `/${name}`;
  const url = u.toString();
  const mig = spawnSync(process.execPath, [join(DIST, 'apps/job-tracker/src/migrate.js')], { env: { ...process.env, DATABASE_URL: url }, encoding: 'utf8' });
  if (mig.status !== 0) throw new Error(`migrate failed: ${mig.stderr}${mig.stdout}`);
  const db = new PgClient({ connectionString: url });
  await db.connect();
  // The bare routes write the same row shape into a table with the same indexes as `job`.
  await db.query('create table bare_job (like job including all)');
  return {
    name,
    url,
    query: (sql, params) => db.query(sql, params),
    async drop() {
      await db.end();
      const a = new PgClient({ connectionString: PG_SERVER });
      await a.connect();
      await a.query(`drop database if exists "${name}" with (force)`);
      await a.end();
    },
  };
}

/** Removes every Redis key and JetStream stream of the given prefixes. */
export async function cleanupPrefixes(prefixes) {
  const Redis = require('ioredis');
  const redis = new Redis(REDIS_URL);
  for (const p of prefixes) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${p}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
  redis.disconnect();
  const { connect } = require('nats');
  const { subjects } = requireDist('libs/contracts/src/index.js');
  const { deleteStreams } = requireDist('libs/messaging/src/index.js');
  const nc = await connect({ servers: NATS_URL });
  for (const p of prefixes) await deleteStreams(nc, subjects(p)).catch(() => undefined);
  await nc.close();
}

/**
 * A run's isolation: one database (product `job` table plus `bare_job`), a storage folder, and a
 * fresh queue/NATS prefix per side (`side()`), all removed by cleanup().
 */
export async function createWorld(tag) {
  const db = await createBenchDatabase(tag);
  const storageDir = mkdtempSync(join(tmpdir(), `jobdesk-bench-${tag}-`));
  const prefixes = [];
  return {
    db,
    storageDir,
    prefix() {
      const p = uniquePrefix(tag);
      prefixes.push(p);
      return p;
    },
    env(prefix) {
      return {
        NODE_ENV: 'production',
        DATABASE_URL: db.url,
        REDIS_URL,
        NATS_URL,
        QUEUE_PREFIX: prefix,
        NATS_PREFIX: prefix,
        STORAGE_DIR: storageDir,
        AUTH_REQUIRED: 'false',
        RATE_LIMIT_PER_SECOND: '0',
        LOG_LEVEL: 'warn',
        HOST: '127.0.0.1',
      };
    },
    async cleanup() {
      await cleanupPrefixes(prefixes).catch((e) => log('cleanup:', e.message));
      rmSync(storageDir, { recursive: true, force: true });
      await db.drop().catch((e) => log('drop database:', e.message));
    },
  };
}

/** Starts the named built apps (fresh processes) and waits for /health/ready on each. */
export async function startApps(names, env) {
  const procs = {};
  const ports = {};
  for (const n of names) ports[n] = await freePort();
  for (const n of names) {
    procs[n] = spawnNode(join(DIST, `apps/${n}/src/main.js`), {
      ...env,
      PORT: String(ports[n]),
      PUBLIC_BASE_URL: `http://127.0.0.1:${ports.gateway ?? ports[n]}`,
    });
  }
  const stop = () => Promise.all(Object.values(procs).map((p) => p.stop()));
  const t0 = Date.now();
  try {
    await Promise.all(names.map((n) => procs[n].ready(`http://127.0.0.1:${ports[n]}/health/ready`)));
    log(`started ${names.join(', ')} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    ports,
    procs,
    baseUrl: ports.gateway ? `http://127.0.0.1:${ports.gateway}` : undefined,
    rss: () => Object.fromEntries(names.map((n) => [n, rssMb(procs[n].child.pid)])),
    stop,
  };
}

/** Starts bench/bare/<name>.mjs (a fresh process) and waits until it answers GET /ready. */
export async function startBare(name, env) {
  const port = await freePort();
  const p = spawnNode(join(BARE, `${name}.mjs`), { ...env, PORT: String(port), BENCH_DIST: DIST });
  try {
    await p.ready(`http://127.0.0.1:${port}/ready`);
  } catch (e) {
    await p.stop();
    throw e;
  }
  return { port, baseUrl: `http://127.0.0.1:${port}`, proc: p, rss: () => rssMb(p.child.pid), stop: p.stop };
}

// ---- load ---------------------------------------------------------------------------------

/** autocannon in this process; returns req/s (2xx only), latency percentiles in ms and error counts. */
export async function cannon(opts) {
  const autocannon = require('autocannon');
  const r = await autocannon({ connections: 50, duration: 5, ...opts });
  const seconds = r.duration || opts.duration;
  return {
    rps: r['2xx'] / seconds,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

/**
 * One connection, one request at a time for `seconds`, each timed with performance.now():
 * latency percentiles in fractional ms (autocannon's are whole ms, too coarse for a request that
 * takes one or two).
 */
export async function serialLatency({ url, method = 'POST', headers, body, seconds }) {
  const { Agent, request } = require('undici');
  const agent = new Agent({ connections: 1 });
  const lat = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  try {
    while (performance.now() < end) {
      const t = performance.now();
      const res = await request(url, { method, headers, body, dispatcher: agent });
      await res.body.dump();
      if (res.statusCode >= 300) errors++;
      lat.push(performance.now() - t);
    }
  } finally {
    await agent.close();
  }
  return { p50: round(percentile(lat, 50), 2), p99: round(percentile(lat, 99), 2), requests: lat.length, non2xx: errors, errors: 0 };
}

/** A short warm-up (JIT, pools), then the measured run. */
export async function warmCannon(opts, warmSeconds = 1) {
  await cannon({ ...opts, duration: warmSeconds });
  return cannon(opts);
}

/**
 * End-to-end load: `inFlight` clients, each submits a job (POST JSON), polls GET until it is
 * completed, then submits the next. Jobs seen completed per second within the window after the
 * warm-up, and their submit → seen-completed times.
 */
export async function closedLoop({ baseUrl, body, inFlight = 50, seconds = 5, pollMs = 20, warmSeconds = 1 }) {
  const { Agent, request } = require('undici');
  const agent = new Agent({ connections: inFlight * 2, pipelining: 1 });
  const start = Date.now();
  const warmEnd = start + warmSeconds * 1000;
  const end = warmEnd + seconds * 1000;
  const lat = [];
  let done = 0;
  let failed = 0;
  let submitted = 0;
  const payload = JSON.stringify(body);
  async function one() {
    const t0 = Date.now();
    const res = await request(`${baseUrl}/v1/jobs`, { method: 'POST', body: payload, headers: { 'content-type': 'application/json' }, dispatcher: agent });
    const created = await res.body.json();
    if (res.statusCode !== 202) throw new Error(`POST ${res.statusCode}: ${JSON.stringify(created)}`);
    submitted++;
    for (;;) {
      await sleep(pollMs);
      const g = await request(`${baseUrl}/v1/jobs/${created.id}`, { dispatcher: agent });
      const j = await g.body.json();
      if (j.status === 'completed') break;
      if (j.status === 'failed' || j.status === 'canceled') throw new Error(`job ${created.id} ${j.status}`);
      if (Date.now() > end) return null; // the window is over: abandon the job in hand
    }
    return t0;
  }
  async function client() {
    while (Date.now() < end) {
      try {
        const t0 = await one();
        const t1 = Date.now();
        if (t0 !== null && t1 >= warmEnd && t1 <= end) {
          done++;
          lat.push(t1 - t0);
        }
      } catch (e) {
        failed++;
        if (failed < 3) log('closed loop:', e.message);
        await sleep(50);
      }
    }
  }
  await Promise.all(Array.from({ length: inFlight }, client));
  await agent.close();
  return { jobsPerSec: done / seconds, p50: percentile(lat, 50), p99: percentile(lat, 99), done, failed, submitted };
}

// ---- fixtures -----------------------------------------------------------------------------

/** Deterministic v4-shaped uuid for seeded row i (the API checks the version and variant); SEED_ID in SQL. */
export function seededId(i) {
  let h = createHash('md5').update(String(i)).digest('hex');
  h = `${h.slice(0, 12)}4${h.slice(13, 16)}8${h.slice(17)}`;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const SEED_ID = `(substr(md5(i::text), 1, 12) || '4' || substr(md5(i::text), 14, 3) || '8' || substr(md5(i::text), 18))::uuid`;

/**
 * Fills `table` (job or bare_job) with n finished noop jobs of tenant default, ids SEED_ID(i).
 * Its secondary indexes are dropped for the load and rebuilt from their own definitions after:
 * one bulk build is several times faster than a million index inserts.
 */
export async function seedJobs(db, table, n) {
  const { rows: indexes } = await db.query(
    `select indexname, indexdef from pg_indexes where schemaname = 'public' and tablename = $1
       and indexname not in (select conname from pg_constraint where conrelid = $1::regclass)`,
    [table],
  );
  for (const i of indexes) await db.query(`drop index "${i.indexname}"`);
  await db.query(`set maintenance_work_mem = '256MB'`);
  await db.query(`
    insert into "${table}" (id, tenant, type, status, progress, attempt, max_attempts, priority, input, result,
                            correlation_id, created_at, updated_at, started_at, finished_at)
    select ${SEED_ID}, 'default', 'noop', 'completed', 100, 1, 3, 0,
           '{"kind":"json","data":{"ms":0}}'::jsonb,
           jsonb_build_object('key', 'results/' || ${SEED_ID} || '.json', 'contentType', 'application/json', 'size', 40),
           md5(i::text || 'c'), now() - (i || ' seconds')::interval, now(), now(), now()
    from generate_series(1, $1::int) i`, [n]);
  for (const i of indexes) await db.query(i.indexdef);
  await db.query(`analyze "${table}"`);
}

/** A PDF of about `bytes` bytes (text page plus an uncompressed filler stream), built with pdf-lib. */
export async function makePdf(bytes = 200 * 1024) {
  const { PDFDocument, StandardFonts } = require('pdf-lib');
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage();
  page.drawText('Jane Q Doe — Staff Engineer — jane@example.com', { x: 50, y: 750, size: 12, font });
  const base = await doc.save({ useObjectStreams: false });
  const filler = Buffer.alloc(Math.max(0, bytes - base.length - 200), 'x');
  const stream = doc.context.stream(filler);
  doc.context.register(stream);
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** The noop job every end-to-end and worker case submits. */
export const NOOP_JOB = { type: 'noop', input: { ms: 0 } };

/** The body schema of the bare POST /v1/jobs (bench/bare/api.mjs and bench/peers/api.mjs): Fastify validates it. */
export const SUBMIT_SCHEMA = {
  body: {
    type: 'object',
    required: ['type', 'input'],
    properties: {
      type: { type: 'string', enum: ['noop', 'email.send'] },
      input: { type: 'object', properties: { ms: { type: 'integer', minimum: 0, maximum: 60000 }, fail_attempts: { type: 'integer', minimum: 0 } } },
    },
  },
};

/** A paused BullMQ `noop` queue under `prefix` holding `jobs` noop jobs, as job-tracker would add them. */
export async function prefilledNoopQueue(prefix, jobs) {
  const { Queue } = require('bullmq');
  const { jobOptions } = requireDist('libs/queue/src/queue-options.js');
  const u = new URL(REDIS_URL);
  const q = new Queue('noop', { connection: { host: u.hostname, port: Number(u.port || 6379), maxRetriesPerRequest: null }, prefix });
  await q.pause();
  for (let i = 0; i < jobs; i += 1000) {
    await q.addBulk(Array.from({ length: Math.min(1000, jobs - i) }, () => {
      const data = queuedNoop();
      return { name: 'noop', data, opts: jobOptions('noop', { jobId: data.jobId, backoffFactor: 1 }) };
    }));
  }
  return q;
}

/** QueuedJob data for one noop job as job-tracker hands it to BullMQ (for pre-filled queues). */
export function queuedNoop(jobId = randomUUID()) {
  return { jobId, tenant: 'default', type: 'noop', input: { kind: 'json', data: { ms: 0 } }, correlationId: randomUUID(), attemptBase: 0, timeoutMs: null };
}

// ---- pairs and the case's report ----------------------------------------------------------

/**
 * Runs bare, product, bare, product… `pairs` times. Each side is a function that starts its own
 * fresh processes, measures, stops them, and returns { metric: value }.
 */
export async function interleave(name, pairs, bare, product) {
  const out = { bare: [], product: [] };
  for (let i = 0; i < pairs; i++) {
    log(`${name}: pair ${i + 1}/${pairs} bare`);
    out.bare.push(await bare(i));
    log(`${name}: pair ${i + 1}/${pairs} product`);
    out.product.push(await product(i));
    log(`${name}: pair ${i + 1}/${pairs}`, JSON.stringify({ bare: out.bare.at(-1), product: out.product.at(-1) }));
  }
  return out;
}

/**
 * One table row: `metric` of the pairs' results, the medians of each side and the median of the
 * per-pair ratios product/bare, compared with `goal` ({ op: '>=' | '<=', ratio }).
 */
export function row(caseName, metric, unit, pairs, goal, note) {
  const b = pairs.bare.map((r) => r[metric]);
  const p = pairs.product.map((r) => r[metric]);
  const ratios = p.map((x, i) => x / b[i]).filter(Number.isFinite);
  const ratio = median(ratios);
  let pass = null;
  if (goal && Number.isFinite(ratio)) pass = goal.op === '>=' ? ratio >= goal.ratio : ratio <= goal.ratio;
  return {
    case: caseName,
    metric,
    unit,
    product: round(median(p), 2),
    bare: round(median(b), 2),
    ratio: round(ratio, 3),
    goal: goal ? `${goal.op === '>=' ? '≥' : '≤'} ${goal.ratio.toFixed(2)}×` : null,
    pass: QUICK ? null : pass,
    perPair: { product: p.map((x) => round(x, 2)), bare: b.map((x) => round(x, 2)), ratio: ratios.map((x) => round(x, 3)) },
    ...(note ? { note } : {}),
  };
}

/** A reported figure with no bare denominator (memory). */
export function reportRow(caseName, metric, unit, value, note) {
  return { case: caseName, metric, unit, product: round(value, 1), bare: null, ratio: null, goal: null, pass: null, ...(note ? { note } : {}) };
}

/** Hands the case's rows to bench/run.mjs (BENCH_RESULT file) or prints them when run alone. */
export function emit(caseName, rows, extra = {}) {
  const result = { case: caseName, quick: QUICK, pairs: PAIRS, rows, ...extra };
  if (process.env.BENCH_RESULT) writeFileSync(process.env.BENCH_RESULT, JSON.stringify(result, null, 2));
  else console.log(JSON.stringify(result, null, 2));
}

/** Runs a case body with its world, always cleaning up; exits non-zero on failure. */
export async function runCase(tag, body) {
  let world;
  try {
    world = await createWorld(tag);
    await body(world);
  } catch (e) {
    console.error(e);
    process.exitCode = 1;
  } finally {
    if (world) await world.cleanup();
  }
}
