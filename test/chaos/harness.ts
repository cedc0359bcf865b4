import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { APP_NAMES, AppName, startStack, Stack } from '../support/stack';
import { startSmtpServer, startWebhookReceiver } from '../support/receivers';
import { NatsService, PostgresService, RedisService } from './services';

/**
 * The chaos harness: its own Redis, NATS and PostgreSQL, the five built apps on them, a webhook
 * receiver and an SMTP server; a load generator that submits a stream of jobs while a fault is
 * injected; and the checks that every accepted job ended exactly once.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TERMINAL = ['completed', 'failed', 'canceled'];

export type Receiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
export type Smtp = Awaited<ReturnType<typeof startSmtpServer>>;

export interface Chaos {
  redis: RedisService;
  nats: NatsService;
  pg: PostgresService;
  stack: Stack;
  hooks: Receiver;
  smtp: Smtp;
  db: Pool;
  stop(): Promise<void>;
}

/**
 * A private copy of dist/ (inside node_modules/.cache, so packages still resolve): others may
 * rebuild dist/ while the suite restarts apps.
 */
function privateDist(): string {
  const root = join(__dirname, '../..');
  if (process.env.JOBDESK_DIST) return process.env.JOBDESK_DIST;
  const dir = join(root, 'node_modules/.cache', `jobdesk-chaos-${process.pid}`);
  const complete = (d: string) => ['job-tracker/src/migrate.js', ...APP_NAMES.map((n) => `${n}/src/main.js`)].every((f) => existsSync(join(d, 'apps', f)));
  // Someone else's `npm run build` empties dist/ for a while: wait for a whole one.
  for (let i = 0; ; i++) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    try {
      cpSync(join(root, 'dist'), dir, { recursive: true });
      if (complete(dir)) return dir;
    } catch {
      /* dist/ changed under the copy */
    }
    if (i >= 60) throw new Error('dist/ is incomplete: run npm run build');
    spawnSync('sleep', ['2']);
  }
}

export async function startChaos(extraEnv: Record<string, string> = {}): Promise<Chaos> {
  const distDir = privateDist();
  const redis = await RedisService.create();
  const nats = await NatsService.create();
  const pg = await PostgresService.create();
  await Promise.all([redis.start(), nats.start(), pg.start()]);
  const hooks = await startWebhookReceiver();
  const smtp = await startSmtpServer();
  let stack: Stack;
  try {
    stack = await startStack(
      {
        AUTH_REQUIRED: 'false',
        RATE_LIMIT_PER_SECOND: '0',
        LOG_LEVEL: 'warn',
        WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
        WEBHOOK_TIMEOUT_MS: '3000',
        WEBHOOK_ATTEMPTS: '25',
        SMTP_URL: smtp.url,
        MAIL_FROM: 'chaos@example.com',
        WORKER_CONCURRENCY: '32',
        RETRY_BACKOFF_FACTOR: '0.01',
        RECONCILE_INTERVAL_MS: '2000',
        RECONCILE_AFTER_MS: '5000',
        RPC_TIMEOUT_MS: '3000',
        ...extraEnv,
      },
      { databaseServerUrl: pg.url, redisUrl: redis.url, natsUrl: nats.url, maxLogChunks: 400, readyTimeoutMs: 60_000, distDir },
    );
  } catch (e) {
    await Promise.all([redis.stop(), nats.stop(), pg.stop(), hooks.close(), smtp.close()]);
    if (!process.env.JOBDESK_DIST) rmSync(distDir, { recursive: true, force: true });
    throw e;
  }
  const db = new Pool({ connectionString: stack.env.DATABASE_URL, max: 2 });
  db.on('error', () => undefined);
  return {
    redis,
    nats,
    pg,
    stack,
    hooks,
    smtp,
    db,
    stop: async () => {
      await db.end().catch(() => undefined);
      for (const n of APP_NAMES) if (!stack.running(n)) await stack.restart(n).catch(() => undefined);
      await stack.stop().catch((e) => console.warn(`stack cleanup: ${(e as Error).message}`));
      await Promise.all([redis.stop(), nats.stop(), pg.stop(), hooks.close(), smtp.close()]);
      if (!process.env.JOBDESK_DIST) rmSync(distDir, { recursive: true, force: true });
    },
  };
}

// ---- load -----------------------------------------------------------------------------------

export interface LoadOptions {
  tag: string;
  jobs: number;
  perSecond: number;
  concurrency?: number;
  /** Share of jobs with a webhook callback (the rest poll). */
  webhookShare?: number;
  /** Share of email.send jobs (to the SMTP server); the rest are noop. */
  emailShare?: number;
  /** noop run time range, ms. */
  minMs?: number;
  maxMs?: number;
}

export interface Load {
  tag: string;
  /** req → job id, for every submission that got 202 (or 200 replayed). */
  accepted: Map<number, string>;
  webhookJobs: Set<string>;
  /** 503 answers, those without Retry-After, other non-2xx answers, network errors. */
  unavailable: number;
  unavailableWithoutRetryAfter: number;
  otherErrors: Map<number, number>;
  networkErrors: number;
  /** A replay (200) of a key whose first try had been answered 503: the 503 left a job behind. */
  replayAfter503: number;
  /** Slowest accepted submission, ms. */
  maxSubmitMs: number;
  /** What the 503s said, with how long they took. */
  unavailableWhy: Map<string, number>;
  startedAt: number;
  lastAcceptedAt: number;
  done: Promise<void>;
}

/**
 * Submits `jobs` jobs at about `perSecond`, as a careful client would: a 503 or a dropped
 * connection is retried (after at most a second) with the same Idempotency-Key until accepted.
 */
export function startLoad(chaos: Chaos, o: LoadOptions): Load {
  const load: Load = {
    tag: o.tag,
    accepted: new Map(),
    webhookJobs: new Set(),
    unavailable: 0,
    unavailableWithoutRetryAfter: 0,
    otherErrors: new Map(),
    networkErrors: 0,
    replayAfter503: 0,
    maxSubmitMs: 0,
    unavailableWhy: new Map(),
    startedAt: Date.now(),
    lastAcceptedAt: Date.now(),
    done: Promise.resolve(),
  };
  const webhookShare = o.webhookShare ?? 0.9;
  const emailShare = o.emailShare ?? 0.05;
  const minMs = o.minMs ?? 50;
  const maxMs = o.maxMs ?? 400;
  let next = 0;
  const base = chaos.stack.baseUrl;

  const body = (n: number) => {
    const withHook = (n * 7919) % 1000 < webhookShare * 1000;
    const email = (n * 104729) % 1000 < emailShare * 1000;
    const notify = withHook ? { webhook: `${chaos.hooks.url}/${o.tag}` } : undefined;
    const metadata = { chaos: o.tag, req: String(n) };
    return {
      withHook,
      json: email
        ? { type: 'email.send', input: { to: `user${n}@example.com`, subject: `chaos ${o.tag} ${n}`, text: 'hello' }, notify, metadata, max_attempts: 25 }
        : { type: 'noop', input: { ms: minMs + ((n * 31) % (maxMs - minMs + 1)) }, notify, metadata },
    };
  };

  const submitOne = async (n: number) => {
    const { withHook, json } = body(n);
    let had503 = false;
    for (;;) {
      const t = Date.now();
      try {
        const res = await fetch(`${base}/v1/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': `${o.tag}-${n}` },
          body: JSON.stringify(json),
          signal: AbortSignal.timeout(15_000),
        });
        const text = await res.text();
        if (res.status === 202 || res.status === 200) {
          const id = JSON.parse(text).id as string;
          if (res.status === 200 && had503) load.replayAfter503++;
          load.accepted.set(n, id);
          if (withHook) load.webhookJobs.add(id);
          load.maxSubmitMs = Math.max(load.maxSubmitMs, Date.now() - t);
          load.lastAcceptedAt = Date.now();
          return;
        }
        if (res.status === 503) {
          load.unavailable++;
          had503 = true;
          const ra = res.headers.get('retry-after');
          if (!ra || !(Number(ra) > 0)) load.unavailableWithoutRetryAfter++;
          let detail = '';
          try {
            detail = String(JSON.parse(text).detail ?? '').replace(/[0-9a-f-]{36}|\d+/g, 'N').slice(0, 80);
          } catch {
            /* not problem+json */
          }
          const why = `${detail} (${Date.now() - t < 1000 ? '<1 s' : `${Math.round((Date.now() - t) / 1000)} s`})`;
          load.unavailableWhy.set(why, (load.unavailableWhy.get(why) ?? 0) + 1);
        } else {
          load.otherErrors.set(res.status, (load.otherErrors.get(res.status) ?? 0) + 1);
          if (res.status < 500 && res.status !== 429) return; // a 4xx would be the harness's own bug; counted, not retried
        }
      } catch {
        load.networkErrors++;
      }
      await sleep(300 + Math.random() * 700);
    }
  };

  const workers = Array.from({ length: o.concurrency ?? 24 }, async () => {
    for (;;) {
      const n = next++;
      if (n >= o.jobs) return;
      const due = load.startedAt + (n * 1000) / o.perSecond;
      if (due > Date.now()) await sleep(due - Date.now());
      await submitOne(n);
    }
  });
  load.done = Promise.all(workers).then(() => undefined);
  return load;
}

// ---- checks ---------------------------------------------------------------------------------

export interface Outcome {
  fault: string;
  jobs: number;
  lost: number;
  duplicated: number;
  failed: number;
  webhooksMissing: number;
  halfMade: number;
  unavailable: number;
  drainS: number;
  totalS: number;
  notes: string[];
  /** What counts against the fault: lost, duplicated, missing webhooks, half-made (unless expected), a failed injection. */
  bad: number;
}

interface Hook {
  ids: Set<string>;
  statuses: Set<string>;
  count: number;
}

function webhooksOf(chaos: Chaos, tag: string): Map<string, Hook> {
  const byJob = new Map<string, Hook>();
  for (const r of chaos.hooks.received) {
    if (r.path !== `/${tag}`) continue;
    let payload: { data?: { id?: string; status?: string } };
    try {
      payload = JSON.parse(r.body);
    } catch {
      continue;
    }
    const id = payload.data?.id;
    if (!id) continue;
    const h = byJob.get(id) ?? { ids: new Set(), statuses: new Set(), count: 0 };
    h.ids.add(String(r.headers['webhook-id']));
    h.statuses.add(String(payload.data?.status));
    h.count++;
    byJob.set(id, h);
  }
  return byJob;
}

async function query<T>(chaos: Chaos, sql: string, args: unknown[]): Promise<T[]> {
  for (let i = 0; ; i++) {
    try {
      return (await chaos.db.query(sql, args)).rows as T[];
    } catch (e) {
      if (i > 60) throw e;
      await sleep(1000);
    }
  }
}

/** Waits until every accepted job is terminal and every webhook job was called back (or time is up). */
export async function drain(chaos: Chaos, load: Load, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const ids = [...load.accepted.values()];
  while (Date.now() < deadline) {
    const [{ open }] = await query<{ open: string }>(chaos, `select count(*) as open from job where id = any($1::uuid[]) and status not in ('completed','failed','canceled')`, [ids]);
    const hooks = webhooksOf(chaos, load.tag);
    const missing = [...load.webhookJobs].filter((id) => !hooks.has(id));
    if (process.env.CHAOS_VERBOSE) console.error(`[drain] open ${open}, webhooks missing ${missing.length} ${missing.slice(0, 2).join(' ')}`);
    if (Number(open) === 0 && missing.length === 0) return true;
    await sleep(500);
  }
  return false;
}

export async function check(chaos: Chaos, load: Load, fault: string, drainedAt: number): Promise<Outcome> {
  const notes: string[] = [];
  const rows = await query<{ id: string; status: string; req: string; completed: string; terminal: string }>(
    chaos,
    `select j.id, j.status, j.metadata->>'req' as req,
            (select count(*) from job_transition t where t.job_id = j.id and t.to_status = 'completed') as completed,
            (select count(*) from job_transition t where t.job_id = j.id and t.to_status in ('completed','failed','canceled')) as terminal
       from job j where j.metadata->>'chaos' = $1`,
    [load.tag],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const acceptedIds = new Set(load.accepted.values());
  const acceptedReqs = new Set([...load.accepted.keys()].map(String));
  let lost = 0;
  let duplicated = 0;
  let failed = 0;
  for (const id of acceptedIds) {
    const r = byId.get(id);
    if (!r || !TERMINAL.includes(r.status)) {
      lost++;
      if (lost <= 3) notes.push(`lost ${id}: ${r ? r.status : 'no row'}`);
      continue;
    }
    if (r.status === 'failed') failed++;
    if (r.status === 'completed' && Number(r.completed) !== 1) {
      duplicated++;
      notes.push(`${id}: ${r.completed} completed transitions`);
    } else if (Number(r.terminal) !== 1) {
      duplicated++;
      notes.push(`${id}: ${r.terminal} terminal transitions`);
    }
  }
  // A job in the database for a request the client never got a 2xx for, or two for one request.
  const perReq = new Map<string, number>();
  for (const r of rows) perReq.set(r.req, (perReq.get(r.req) ?? 0) + 1);
  let halfMade = load.replayAfter503;
  for (const [req, count] of perReq) {
    if (!acceptedReqs.has(req)) halfMade++;
    if (count > 1) {
      duplicated++;
      notes.push(`request ${req}: ${count} jobs`);
    }
  }
  const hooks = webhooksOf(chaos, load.tag);
  let webhooksMissing = 0;
  for (const id of load.webhookJobs) {
    const h = hooks.get(id);
    const r = byId.get(id);
    if (!h) {
      webhooksMissing++;
      continue;
    }
    if (h.ids.size !== 1 || h.statuses.size !== 1 || (r && !h.statuses.has(r.status))) {
      duplicated++;
      if (duplicated <= 5) notes.push(`${id}: webhooks ${[...h.statuses].join('/')} ids ${h.ids.size} vs ${r?.status}`);
    }
  }
  const repeats = [...hooks.values()].reduce((s, h) => s + h.count - 1, 0);
  if (repeats) notes.push(`${repeats} repeated webhook deliveries (same webhook-id)`);
  if (load.unavailableWithoutRetryAfter) notes.push(`${load.unavailableWithoutRetryAfter} 503s without Retry-After`);
  if (load.otherErrors.size) notes.push(`other answers: ${[...load.otherErrors].map(([s, c]) => `${s}×${c}`).join(', ')}`);
  if (load.networkErrors) notes.push(`${load.networkErrors} connection errors (retried)`);
  if (load.unavailableWhy.size) notes.push(`503s: ${[...load.unavailableWhy].map(([w, c]) => `${c}× ${w}`).join('; ')}`);
  if (load.replayAfter503) notes.push(`${load.replayAfter503} keys answered 503 then replayed a job`);
  notes.push(`slowest accepted submission ${load.maxSubmitMs} ms`);
  return {
    fault,
    jobs: acceptedIds.size,
    lost,
    duplicated,
    failed,
    webhooksMissing,
    halfMade,
    unavailable: load.unavailable,
    drainS: Math.max(0, (drainedAt - load.lastAcceptedAt) / 1000),
    totalS: (drainedAt - load.startedAt) / 1000,
    notes,
    bad: lost + duplicated + webhooksMissing + halfMade,
  };
}

// ---- faults ---------------------------------------------------------------------------------

export interface Fault {
  name: string;
  /** Runs while the load flows; resolves once everything is back up (with notes for the table). */
  inject(chaos: Chaos): Promise<void | string[]>;
  /**
   * kill -9 of job-tracker between its commit and its reply: the client is told 503 for a job
   * that exists (and runs). No server can tell the client otherwise; its retry with the same
   * Idempotency-Key gets that job. Counted as half-made, not failed.
   */
  lostRepliesExpected?: boolean;
}

async function sigterm(chaos: Chaos, app: AppName, graceMs = 30_000): Promise<string> {
  const t = Date.now();
  const exit = await Promise.race([chaos.stack.kill(app, 'SIGTERM'), sleep(graceMs).then(() => 'timeout')]);
  if (exit === 'timeout') {
    await chaos.stack.kill(app, 'SIGKILL');
    throw new Error(`${app} did not exit within ${graceMs} ms of SIGTERM`);
  }
  return `${app} exit ${exit} after ${Date.now() - t} ms`;
}

export const FAULTS: Record<string, (opts?: { downMs?: number }) => Fault> = {
  'kill -9 worker': () => ({
    name: 'kill -9 worker (email-worker, noop) mid-job',
    inject: async (c) => {
      await sleep(3_000);
      await c.stack.kill('email-worker', 'SIGKILL');
      await sleep(1_000);
      await c.stack.restart('email-worker');
    },
  }),
  'kill -9 tracker': (o) => ({
    name: `kill -9 job-tracker for ${(o?.downMs ?? 20_000) / 1000} s`,
    lostRepliesExpected: true,
    inject: async (c) => {
      await sleep(3_000);
      await c.stack.kill('job-tracker', 'SIGKILL');
      await sleep(o?.downMs ?? 20_000);
      await c.stack.restart('job-tracker');
    },
  }),
  'kill -9 notifier': () => ({
    name: 'kill -9 notifier',
    inject: async (c) => {
      await sleep(4_000);
      await c.stack.kill('notifier', 'SIGKILL');
      await sleep(2_000);
      await c.stack.restart('notifier');
    },
  }),
  'restart redis': (o) => ({
    name: 'restart Redis (empty)',
    inject: async (c) => {
      await sleep(4_000);
      await c.redis.restart(o?.downMs ?? 1_000);
    },
  }),
  'restart nats': (o) => ({
    name: 'restart NATS',
    inject: async (c) => {
      await sleep(4_000);
      await c.nats.restart(o?.downMs ?? 1_000);
    },
  }),
  'rolling sigterm': () => ({
    name: 'SIGTERM every app in turn',
    inject: async (c) => {
      await sleep(2_000);
      const notes: string[] = [];
      for (const app of APP_NAMES) {
        notes.push(await sigterm(c, app));
        await c.stack.restart(app);
      }
      return notes;
    },
  }),
  'pause receivers': (o) => ({
    name: `pause SMTP + webhook receiver ${(o?.downMs ?? 10_000) / 1000} s`,
    inject: async (c) => {
      await sleep(3_000);
      c.smtp.pause();
      c.hooks.pause();
      await sleep(o?.downMs ?? 10_000);
      c.smtp.resume();
      c.hooks.resume();
    },
  }),
  'postgres down': (o) => ({
    name: `PostgreSQL down ${(o?.downMs ?? 10_000) / 1000} s`,
    inject: async (c) => {
      await sleep(3_000);
      await c.pg.kill();
      await sleep(o?.downMs ?? 10_000);
      await c.pg.start();
    },
  }),
};

export interface RunOptions extends Omit<LoadOptions, 'tag'> {
  drainTimeoutMs: number;
}

/** One fault under load: start the stream, inject, wait for the stream and the drain, check. */
export async function runFault(chaos: Chaos, key: string, fault: Fault, o: RunOptions): Promise<Outcome> {
  const tag = `${key.replace(/[^a-z0-9]+/gi, '_')}_${Date.now().toString(36)}`;
  const logMark = Object.fromEntries(APP_NAMES.map((n) => [n, chaos.stack.logs[n].join('').length]));
  const load = startLoad(chaos, { ...o, tag });
  let phase = 'inject';
  const progress = setInterval(() => {
    if (process.env.CHAOS_VERBOSE) process.stderr.write(`[chaos ${key}] ${phase}: accepted ${load.accepted.size}/${o.jobs}, 503 ${load.unavailable}, conn errors ${load.networkErrors}, other ${[...load.otherErrors].join(' ')}\n`);
  }, 10_000);
  let injectError: Error | undefined;
  const injectNotes = await fault.inject(chaos).catch((e: Error) => void (injectError = e));
  phase = 'load';
  // An app the fault left down is brought back, so the drain measures the system, not the harness.
  for (const n of APP_NAMES) if (!chaos.stack.running(n)) await chaos.stack.restart(n);
  await load.done;
  phase = 'drain';
  await drain(chaos, load, o.drainTimeoutMs);
  clearInterval(progress);
  const outcome = await check(chaos, load, fault.name, Date.now());
  if (injectError) outcome.notes.unshift(`fault injection: ${injectError.message}`);
  if (injectNotes) outcome.notes.push(...injectNotes);
  outcome.bad = outcome.lost + outcome.duplicated + outcome.webhooksMissing + (fault.lostRepliesExpected ? 0 : outcome.halfMade) + (injectError ? 1 : 0);
  // What the self-healing parts said during the run (reconciler, consumers, stalled jobs).
  for (const n of APP_NAMES) {
    const said = chaos.stack.logs[n].join('').slice(logMark[n]);
    for (const pattern of [/re-added \d+ job/g, /re-announced \d+ finished/g, /stalled/gi, /consumer[^\n]*(stopped|restart)/gi]) {
      const hits = said.match(pattern)?.length ?? 0;
      if (hits) outcome.notes.push(`${n} log: ${hits}× ${pattern.source}`);
    }
  }
  return outcome;
}

export function table(rows: Outcome[]): string {
  const head = ['fault', 'jobs', 'lost', 'duplicated', 'failed', 'webhooks missing', 'half-made', '503s', 'time to drain', 'total'];
  const body = rows.map((r) => [r.fault, r.jobs, r.lost, r.duplicated, r.failed, r.webhooksMissing, r.halfMade, r.unavailable, `${r.drainS.toFixed(1)} s`, `${r.totalS.toFixed(1)} s`].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const out = [line(head), `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|')}|`, ...body.map(line)];
  const notes = rows.flatMap((r) => r.notes.map((n) => `  ${r.fault}: ${n}`));
  return [...out, '', ...notes].join('\n');
}

/** The tail of each app's log, for a failure message. */
export function logTail(chaos: Chaos, lines = 15): string {
  return Object.entries(chaos.stack.logs)
    .map(([n, l]) => `--- ${n}\n${l.join('').split('\n').slice(-lines).join('\n')}`)
    .join('\n');
}
