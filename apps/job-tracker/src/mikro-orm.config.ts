import { defineConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { loadConfig } from '@jobdesk/config';
import { Job } from './jobs/job.entity';
import { JobTransition } from './jobs/job-transition.entity';
import { Migration20261203000000 } from './migrations/Migration20261203000000';
import { Migration20261203010000 } from './migrations/Migration20261203010000';
import { ApiKey } from './auth/api-key.entity';
import { WebhookDelivery } from './deliveries/webhook-delivery.entity';
import { Migration20261203020000 } from './migrations/Migration20261203020000';
import { Migration20261203030000 } from './migrations/Migration20261203030000';
import { Migration20261203040000 } from './migrations/Migration20261203040000';
import { WebhookEndpoint } from './webhooks/webhook-endpoint.entity';
import { Migration20261203050000 } from './migrations/Migration20261203050000';
import { Migration20261204000000 } from './migrations/Migration20261204000000';

/** The one MikroORM configuration, used by the app and by `migrate`. */
export function ormConfig(env = loadConfig()) {
  return defineConfig({
    clientUrl: env.DATABASE_URL,
    entities: [Job, JobTransition, ApiKey, WebhookDelivery, WebhookEndpoint],
    extensions: [Migrator],
    pool: { min: 1, max: env.DATABASE_POOL_MAX },
    debug: false,
    // Entry points open their own context (@CreateRequestContext); a global one would leak state.
    allowGlobalContext: false,
    migrations: {
      tableName: 'mikro_orm_migrations',
      migrationsList: [
        { name: 'Migration20261203000000', class: Migration20261203000000 },
        { name: 'Migration20261203010000', class: Migration20261203010000 },
        { name: 'Migration20261203020000', class: Migration20261203020000 },
        { name: 'Migration20261203030000', class: Migration20261203030000 },
        { name: 'Migration20261203040000', class: Migration20261203040000 },
        { name: 'Migration20261203050000', class: Migration20261203050000 },
        { name: 'Migration20261204000000', class: Migration20261204000000 },
      ],
      transactional: true,
      allOrNothing: true,
      snapshot: false,
    },
  });
}

export default ormConfig;
