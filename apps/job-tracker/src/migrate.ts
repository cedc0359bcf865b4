import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig } from '@jobdesk/config';
import { createDatabaseIfMissing, migrateWithLock } from '@jobdesk/persistence';
import { ormConfig } from './mikro-orm.config';

/** `npm run migrate`: creates the database if needed and applies pending migrations. */
export async function migrate(): Promise<string[]> {
  const config = loadConfig();
  await createDatabaseIfMissing(config.DATABASE_URL);
  const orm = await MikroORM.init(ormConfig(config));
  try {
    return await migrateWithLock(orm);
  } finally {
    await orm.close();
  }
}

if (require.main === module) {
  migrate().then(
    (done) => {
      console.error(done.length ? `migrations applied: ${done.join(', ')}` : 'database is up to date');
    },
    (e) => {
      console.error(`migration failed: ${(e as Error).message}`);
      process.exit(1);
    },
  );
}
