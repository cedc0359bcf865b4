import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { connect } from 'nats';
import { subjects } from '@jobdesk/contracts';
import { deleteStreams } from '@jobdesk/messaging';
import { createTestDatabase, TestDatabase, uniquePrefix } from '@jobdesk/testing';

const ROOT = join(__dirname, '../..');
export const APP_NAMES = ['job-tracker', 'resume-parser', 'email-worker', 'notifier', 'gateway'] as const;
export type AppName = (typeof APP_NAMES)[number];

export interface Stack {
  baseUrl: string;
  env: Record<string, string>;
  ports: Record<AppName, number>;
  /** Everything the apps printed, for failure messages. */
  logs: Record<AppName, string[]>;
  stop(): Promise<void>;
  /** Sends a signal to one app; resolves once it has exited (exit code or signal name). */
  kill(name: AppName, signal?: NodeJS.Signals): Promise<string>;
  /** Starts one app again (after kill) and waits until it is ready. */
  restart(name: AppName): Promise<void>;
  /** Whether the app's process is running. */
  running(name: AppName): boolean;
}

export interface StackOptions {
  /** PostgreSQL server the run's database is made on (default: TEST_DATABASE_URL or the local one). */
  databaseServerUrl?: string;
  /** Redis and NATS of the run (default: the machine's shared ones). */
  redisUrl?: string;
  natsUrl?: string;
  /** Keep at most this many log chunks per app (long runs); default unbounded. */
  maxLogChunks?: number;
  /** Start timeout per app. */
  readyTimeoutMs?: number;
  /** The built tree to run (default: dist/); a private copy survives someone else's rebuild. */
  distDir?: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function waitReady(url: string, child: ChildProcess, logs: string[], timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url} exited with ${child.exitCode}:\n${logs.slice(-30).join('')}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms:\n${logs.slice(-30).join('')}`);
}

/**
 * Starts the five built apps as separate processes against the machine's real PostgreSQL,
 * Redis and NATS, isolated from every other run by a fresh database, queue prefix, NATS
 * prefix and storage folder. `stop()` sends SIGTERM and removes all of it.
 */
export async function startStack(extraEnv: Record<string, string> = {}, opts: StackOptions = {}): Promise<Stack> {
  const prefix = uniquePrefix('e2e');
  const db = await createTestDatabase(opts.databaseServerUrl);
  const redisUrl = opts.redisUrl ?? 'redis://127.0.0.1:6379';
  const natsUrl = opts.natsUrl ?? 'nats://127.0.0.1:4222';
  const storageDir = mkdtempSync(join(tmpdir(), 'jobdesk-e2e-'));
  const ports = {} as Record<AppName, number>;
  for (const name of APP_NAMES) ports[name] = await freePort();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    QUEUE_PREFIX: prefix,
    NATS_PREFIX: prefix,
    STORAGE_DIR: storageDir,
    RETRY_BACKOFF_FACTOR: '0.002',
    PUBLIC_BASE_URL: `http://127.0.0.1:${ports.gateway}`,
    ...(opts.redisUrl ? { REDIS_URL: opts.redisUrl } : {}),
    ...(opts.natsUrl ? { NATS_URL: opts.natsUrl } : {}),
    ...extraEnv,
  };
  // JOBDESK_DIST: run another build (a private one, while others rebuild dist/).
  const dist = opts.distDir ?? process.env.JOBDESK_DIST ?? join(ROOT, 'dist');
  const migrate = spawnSync(process.execPath, [join(dist, 'apps/job-tracker/src/migrate.js')], { env, encoding: 'utf8' });
  if (migrate.status !== 0) throw new Error(`migrate failed: ${migrate.stderr}${migrate.stdout}`);

  const logs = Object.fromEntries(APP_NAMES.map((n) => [n, [] as string[]])) as Record<AppName, string[]>;
  const children = new Map<AppName, ChildProcess>();
  const record = (name: AppName, d: unknown) => {
    const l = logs[name];
    l.push(String(d));
    if (opts.maxLogChunks && l.length > opts.maxLogChunks) l.splice(0, l.length - opts.maxLogChunks);
  };
  const spawnApp = (name: AppName) => {
    const child = spawn(process.execPath, [join(dist, `apps/${name}/src/main.js`)], {
      env: { ...env, PORT: String(ports[name]), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d) => record(name, d));
    child.stderr?.on('data', (d) => record(name, d));
    children.set(name, child);
    return child;
  };
  for (const name of APP_NAMES) spawnApp(name);
  const running = (name: AppName) => {
    const c = children.get(name);
    return !!c && c.exitCode === null && c.signalCode === null;
  };
  const kill = (name: AppName, signal: NodeJS.Signals = 'SIGKILL') =>
    new Promise<string>((resolve) => {
      const c = children.get(name)!;
      if (!running(name)) return resolve(String(c.exitCode ?? c.signalCode));
      c.once('exit', (code, sig) => resolve(String(code ?? sig)));
      c.kill(signal);
    });
  const restart = async (name: AppName) => {
    if (running(name)) throw new Error(`${name} is still running`);
    const child = spawnApp(name);
    await waitReady(`http://127.0.0.1:${ports[name]}/health/ready`, child, logs[name], opts.readyTimeoutMs);
  };
  const stop = async () => {
    await Promise.all(
      [...children.values()].map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const kill = setTimeout(() => c.kill('SIGKILL'), 10_000);
            c.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            c.kill('SIGTERM');
          }),
      ),
    );
    await cleanup(db, prefix, storageDir, redisUrl, natsUrl);
  };
  try {
    await Promise.all(APP_NAMES.map((n) => waitReady(`http://127.0.0.1:${ports[n]}/health/ready`, children.get(n)!, logs[n], opts.readyTimeoutMs)));
  } catch (e) {
    await stop();
    throw e;
  }
  return { baseUrl: `http://127.0.0.1:${ports.gateway}`, env, ports, logs, stop, kill, restart, running };
}

async function cleanup(db: TestDatabase, prefix: string, storageDir: string, redisUrl: string, natsUrl: string): Promise<void> {
  rmSync(storageDir, { recursive: true, force: true });
  await db.drop();
  const redis = new Redis(redisUrl);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  redis.disconnect();
  const nc = await connect({ servers: natsUrl });
  await deleteStreams(nc, subjects(prefix));
  await nc.close();
}
