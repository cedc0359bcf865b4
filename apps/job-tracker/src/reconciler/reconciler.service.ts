import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CreateRequestContext, EntityManager } from '@mikro-orm/postgresql';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { Job } from '../jobs/job.entity';
import { JobProducer } from '../jobs/job-producer';
import { JobsService } from '../jobs/jobs.service';

/** An arbitrary constant: only the tracker holding this lock sweeps. */
const RECONCILER_LOCK = 7_340_002;

/**
 * PostgreSQL is the truth, Redis a cache of work: this puts back queued jobs that Redis lost
 * (a restart without persistence, a failed add after commit). One leader at a time, chosen by
 * a transaction-scoped advisory lock, so replicas never sweep twice.
 */
@Injectable()
export class ReconcilerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('reconciler');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly em: EntityManager,
    private readonly producer: JobProducer,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.RECONCILE_INTERVAL_MS) return;
    this.timer = setInterval(() => void this.tick(), this.config.RECONCILE_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    await this.sweep().catch((e) => this.log.warn(`sweep failed: ${(e as Error).message}`));
    // Retention: finished jobs keep their files (personal data in resumes) for RETENTION_DAYS.
    const cutoff = new Date(Date.now() - this.config.RETENTION_DAYS * 86_400_000);
    await this.jobs.purgeFinishedBefore(cutoff).catch((e) => this.log.warn(`retention purge failed: ${(e as Error).message}`));
  }

  /** Returns how many jobs were put back on their queue. */
  @CreateRequestContext()
  async sweep(): Promise<number> {
    return this.em.transactional(async (em) => {
      // On the transaction's own connection: run elsewhere, the xact lock is released at once.
      const [{ leader }] = await em.execute<{ leader: boolean }[]>('select pg_try_advisory_xact_lock(?) as leader', [RECONCILER_LOCK]);
      if (!leader) return 0;
      const olderThan = new Date(Date.now() - this.config.RECONCILE_AFTER_MS);
      const stale = await em.find(
        Job,
        { status: { $in: ['queued', 'processing'] }, updatedAt: { $lt: olderThan }, $or: [{ runAt: null }, { runAt: { $lt: new Date() } }] },
        { orderBy: { updatedAt: 'asc' }, limit: 500 },
      );
      let readded = 0;
      const lost: Array<{ job: Job; reason: string }> = [];
      for (const job of stale) {
        if (await this.producer.has(job)) {
          // A worker that crashes on a job every time (out of memory, say) never reports; BullMQ
          // fails it as stalled. Without this the job would show "processing" for ever.
          const reason = job.status === 'processing' ? await this.producer.abandoned(job) : null;
          if (reason) lost.push({ job, reason });
          continue;
        }
        await this.producer.enqueue(job);
        readded++;
      }
      for (const { job, reason } of lost) await this.jobs.failLost(job.id, job.attempt, reason);
      if (readded) this.log.warn(`re-added ${readded} job(s) missing from their queue`);
      return readded;
    });
  }
}
