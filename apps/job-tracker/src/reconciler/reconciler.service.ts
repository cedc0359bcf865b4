import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CreateRequestContext, EntityManager } from '@mikro-orm/postgresql';
import { Queue } from 'bullmq';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { redisConnection } from '@jobdesk/queue';
import { webhookDeliveryQueueId, webhookMessageId } from '@jobdesk/contracts';
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
  private webhookQueue?: Queue;
  /** Whether notifier's delivery queue (Redis) still holds a finished job's delivery to one target; set at bootstrap. */
  webhookQueued?: (jobId: string, status: string, finishedAt: Date, endpointId: string | null) => Promise<boolean>;

  constructor(
    private readonly em: EntityManager,
    private readonly producer: JobProducer,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.RECONCILE_INTERVAL_MS) return;
    this.webhookQueue = new Queue('webhook.deliver', { connection: redisConnection(this.config.REDIS_URL), prefix: this.config.QUEUE_PREFIX });
    this.webhookQueue.on('error', () => undefined);
    this.webhookQueued = async (id, status, finishedAt, endpointId) => !!(await this.webhookQueue!.getJob(webhookDeliveryQueueId(webhookMessageId(id, status, finishedAt), endpointId)));
    this.timer = setInterval(() => void this.tick(), this.config.RECONCILE_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.webhookQueue?.close().catch(() => undefined);
  }

  private async tick(): Promise<void> {
    await this.sweep().catch((e) => this.log.warn(`sweep failed: ${(e as Error).message}`));
    // Retention: finished jobs keep their files (personal data in resumes) for their tenant's
    // retention, RETENTION_DAYS by default.
    await this.jobs.purgeExpired(this.config.RETENTION_DAYS).catch((e) => this.log.warn(`retention purge failed: ${(e as Error).message}`));
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
      const reannounced = await this.sweepWebhooks(em);
      if (reannounced) this.log.warn(`re-announced ${reannounced} finished job(s) whose webhook Redis lost`);
      return readded;
    });
  }

  /**
   * notifier's delivery queue is Redis too: a finished job with a target (its own
   * `notify.webhook`, or an endpoint that wanted the event) that the delivery log never saw
   * delivered or given up, and that the queue no longer holds, is announced again. Same
   * notification id (so email/SMS stay once), a fresh JetStream message id (so the stream does
   * not drop it as a duplicate); the notifier re-adds only the deliveries Redis lost (the others
   * keep their BullMQ ids, so adding them again is a no-op) under the same webhook-id.
   */
  private async sweepWebhooks(em: EntityManager): Promise<number> {
    if (!this.webhookQueued) return 0;
    const now = Date.now();
    // Settled for this ending of the job (webhookMessageId in SQL, milliseconds truncated as a JS
    // Date truncates them): a retried job's earlier ending does not count.
    const settled = (endpoint: string) =>
      `exists (select 1 from webhook_delivery d where d.job_id = j.id and ${endpoint} and (d.outcome = 'delivered' or d.final)
         and d.message_id = 'msg_' || replace(j.id::text, '-', '') || '_' || j.status || '_' || floor(extract(epoch from j.finished_at) * 1000)::bigint)`;
    const rows = await em.execute<{ id: string; status: string; finished_at: Date; callback_open: boolean; open_endpoints: string[] }[]>(
      `select * from (
         select j.id, j.status, j.finished_at,
           (j.notify->>'webhook' is not null and not ${settled('d.endpoint_id is null')}) as callback_open,
           array(select e.id::text from webhook_endpoint e
                  where e.tenant = j.tenant and e.enabled and ('job.' || j.status) = any(e.events) and e.created_at < j.finished_at
                    and not ${settled('d.endpoint_id = e.id')}) as open_endpoints
         from job j
         where j.status in ('completed','failed','canceled') and j.finished_at < ? and j.finished_at > ?
           and (j.notify->>'webhook' is not null or exists (select 1 from webhook_endpoint e where e.tenant = j.tenant and e.enabled))
       ) c where c.callback_open or cardinality(c.open_endpoints) > 0
       order by c.finished_at asc limit 500`,
      [new Date(now - this.config.RECONCILE_AFTER_MS), new Date(now - 24 * 3600_000)],
    );
    let count = 0;
    for (const { id, status, finished_at, callback_open, open_endpoints } of rows) {
      let lost = false;
      for (const endpointId of [...(callback_open ? [null] : []), ...open_endpoints]) {
        if ((lost = !(await this.webhookQueued(id, status, new Date(finished_at), endpointId)))) break;
      }
      if (!lost) continue;
      const job = await em.findOne(Job, { id });
      if (!job) continue;
      // One re-announce per RECONCILE_AFTER_MS window: a slow notifier is not flooded.
      await this.jobs.announceFinished(job, 0, `${id}.finished.re${Math.floor(now / Math.max(1, this.config.RECONCILE_AFTER_MS))}`);
      count++;
    }
    return count;
  }
}
