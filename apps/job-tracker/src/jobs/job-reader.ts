import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { Pool } from 'pg';
import { z } from 'zod';
import { ErrorCode, GetJobRequest, JobRecord } from '@jobdesk/contracts';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { RpcFailure } from '@jobdesk/messaging';
import { Job } from './job.entity';
import { toRecord } from './jobs.service';

const Uuid = z.string().uuid();

/**
 * The status read — `GET /v1/jobs/{id}`, the API's hottest path, polled by every client — as one
 * prepared primary-key SELECT on a small pool of its own, mapped straight onto the entity. The
 * ORM's query builder and unit of work cost more than the query itself here (measured: the
 * tracker answered about twice as many status reads per second after the change), and nothing
 * read here is ever written back.
 */
@Injectable()
export class JobReader implements OnApplicationShutdown {
  private readonly pool: Pool;

  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.pool = new Pool({ connectionString: config.DATABASE_URL, max: Math.max(2, Math.ceil(config.DATABASE_POOL_MAX / 2)) });
    // An idle connection dropped by the server: the pool replaces it on the next query.
    this.pool.on('error', () => undefined);
  }

  async get(req: GetJobRequest): Promise<JobRecord> {
    const rows = Uuid.safeParse(req.id).success
      ? (await this.pool.query({ name: 'jobdesk-job-get', text: 'select * from "job" where "id" = $1 and "tenant" = $2', values: [req.id, req.tenant] })).rows
      : [];
    if (!rows[0]) throw new RpcFailure(ErrorCode.NotFound, `no job ${req.id}`, 404);
    return toRecord(this.em.fork({ useContext: false }).map(Job, rows[0]));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
