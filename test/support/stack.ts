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
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function waitReady(url: string, child: ChildProcess, logs: string[], timeoutMs = 40_000): Promise<void> {
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
export async function startStack(extraEnv: Record<string, string> = {}): Promise<Stack> {
  const prefix = uniquePrefix('e2e');
  const db = await createTestDatabase();
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
    ...extraEnv,
  };
  const migrate = spawnSync(process.execPath, [join(ROOT, 'dist/apps/job-tracker/src/migrate.js')], { env, encoding: 'utf8' });
  if (migrate.status !== 0) throw new Error(`migrate failed: ${migrate.stderr}${migrate.stdout}`);

  const logs = Object.fromEntries(APP_NAMES.map((n) => [n, [] as string[]])) as Record<AppName, string[]>;
  const children = new Map<AppName, ChildProcess>();
  for (const name of APP_NAMES) {
    const child = spawn(process.execPath, [join(ROOT, `dist/apps/${name}/src/main.js`)], {
      env: { ...env, PORT: String(ports[name]), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d) => logs[name].push(String(d)));
    child.stderr?.on('data', (d) => logs[name].push(String(d)));
    children.set(name, child);
  }
  const stop = async () => {
    await Promise.all(
      [...children.values()].map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null) return resolve();
            const kill = setTimeout(() => c.kill('SIGKILL'), 10_000);
            c.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            c.kill('SIGTERM');
          }),
      ),
    );
    await cleanup(db, prefix, storageDir);
  };
  try {
    await Promise.all(APP_NAMES.map((n) => waitReady(`http://127.0.0.1:${ports[n]}/health/ready`, children.get(n)!, logs[n])));
  } catch (e) {
    await stop();
    throw e;
  }
  return { baseUrl: `http://127.0.0.1:${ports.gateway}`, env, ports, logs, stop };
}

async function cleanup(db: TestDatabase, prefix: string, storageDir: string): Promise<void> {
  rmSync(storageDir, { recursive: true, force: true });
  await db.drop();
  const redis = new Redis('redis://127.0.0.1:6379');
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  redis.disconnect();
  const nc = await connect({ servers: 'nats://127.0.0.1:4222' });
  await deleteStreams(nc, subjects(prefix));
  await nc.close();
}
