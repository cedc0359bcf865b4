import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * What every test run needs to stay out of the way of other runs on the same PostgreSQL,
 * Redis and NATS: its own database, its own BullMQ prefix and its own NATS subject prefix.
 */

/** `<tag>_<random>`: valid as a database name, a QUEUE_PREFIX and a NATS_PREFIX. */
export function uniquePrefix(tag: string): string {
  const clean = tag.replace(/[^A-Za-z0-9_]/g, '_').toLowerCase();
  return `${clean}_${randomBytes(5).toString('hex')}`;
}

/** The server the test databases are made on; override with TEST_DATABASE_URL. */
export const TEST_POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  /** DATABASE_URL of the new, empty database. */
  url: string;
  name: string;
  /** Drops the database, closing whatever connections are still open on it. */
  drop(): Promise<void>;
}

/** Creates an empty `jobdesk_test_<random>` database; call `drop()` in afterAll. */
export async function createTestDatabase(serverUrl = TEST_POSTGRES_URL): Promise<TestDatabase> {
  const name = uniquePrefix('jobdesk_test');
  await admin(serverUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

async function admin<T>(serverUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const url = new URL(serverUrl);
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestEnvOptions {
  /** From createTestDatabase(). */
  databaseUrl?: string;
  /** Used for both QUEUE_PREFIX and NATS_PREFIX; defaults to a fresh uniquePrefix('run'). */
  prefix?: string;
  /** Anything else (PORT, STORAGE_DIR, …); wins over the defaults. */
  extra?: Record<string, string>;
}

/**
 * The environment of an app under test: the local services, the run's own prefixes, fast
 * retries and quiet logs. Pass it to parseConfig() or to a child process (`{ ...process.env, ...env }`).
 */
export function testEnv(opts: TestEnvOptions = {}): Record<string, string> {
  const prefix = opts.prefix ?? uniquePrefix('run');
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    NATS_URL: process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
    QUEUE_PREFIX: prefix,
    NATS_PREFIX: prefix,
    RETRY_BACKOFF_FACTOR: '0.01',
    ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}),
    ...opts.extra,
  };
}
