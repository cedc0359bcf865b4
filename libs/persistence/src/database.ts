import { Logger } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';

/** Creates the database named in the URL when it does not exist (first start on a fresh server). */
export async function createDatabaseIfMissing(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`unsupported database name in DATABASE_URL: ${name}`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE "${name}"`).catch((e: { code?: string }) => {
        if (e.code !== '42P04') throw e; // created meanwhile by another process
      });
      new Logger('database').log(`created database ${name}`);
    }
  } finally {
    await client.end();
  }
}

/** An arbitrary constant: the advisory lock key that serialises migrations across replicas. */
const MIGRATION_LOCK = 7_340_001;

/** Runs pending migrations while holding an advisory lock, so two starting replicas never race. */
export async function migrateWithLock(orm: MikroORM): Promise<string[]> {
  const conn = orm.em.getConnection();
  const knex = conn.getKnex();
  // A session lock needs one connection for the whole run: take it from the pool and keep it.
  const client = await knex.client.acquireConnection();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const done = await orm.getMigrator().up();
    return done.map((m) => m.name);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await knex.client.releaseConnection(client);
  }
}
