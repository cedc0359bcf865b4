import { Logger } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { CreateJobRequest, ErrorCode, JobFinishedNotification, jobEnding, subjects, webhookMessageId, WorkerEvent } from '@jobdesk/contracts';
import { AppConfig, parseConfig } from '@jobdesk/config';
import { RpcFailure } from '@jobdesk/messaging';
import { Metrics } from '@jobdesk/observability';
import { ObjectStorage } from '@jobdesk/storage';
import { migrateWithLock } from '@jobdesk/persistence';
import { createTestDatabase, RecordingEventPublisher, strictFake, TestDatabase, testEnv, uniquePrefix } from '@jobdesk/testing';
import { ormConfig } from '../mikro-orm.config';
import { ReconcilerService } from '../reconciler/reconciler.service';
import { Job } from './job.entity';
import { JobProducer } from './job-producer';
import { JobTransition } from './job-transition.entity';
import { JobsService, toRecord } from './jobs.service';
import { JobStatements } from './job-statements';
import { isInvalidInput } from './invalid-input';
import { TenantSettingsService } from '../tenants/tenant-settings.service';
import { WebhooksService } from '../webhooks/webhooks.service';

const s = subjects(uniquePrefix('tracker'));

function createRequest(over: Partial<CreateJobRequest> = {}) {
  return CreateJobRequest.parse({
    id: randomUUID(),
    tenant: 'acme',
    type: 'email.send',
    input: { kind: 'json', data: { to: 'a@example.com', subject: 'hi', text: 'hello' } },
    ...over,
  });
}

let n = 0;
function workerEvent(type: WorkerEvent['type'], jobId: string, attempt: number, extra: Record<string, unknown> = {}): WorkerEvent {
  return WorkerEvent.parse({ id: `ev-${++n}`, type, version: 1, occurredAt: new Date().toISOString(), correlationId: 'c', data: { jobId, tenant: 'acme', attempt, ...extra } });
}
const started = (id: string, attempt = 1) => workerEvent('job.started', id, attempt);
const progress = (id: string, pct: number, attempt = 1) => workerEvent('job.progress', id, attempt, { progress: pct });
const completed = (id: string, attempt = 1) => workerEvent('job.completed', id, attempt, { result: { key: `results/${id}.json`, contentType: 'application/json', size: 2 } });

describe('JobsService (real PostgreSQL)', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let config: AppConfig;
  let statements: JobStatements;
  let events: RecordingEventPublisher;
  let enqueued: string[];
  let inQueue: Set<string>;
  let active: Set<string>;
  let onEnqueue: (job: Job) => Promise<void>;
  let jobs: JobsService;
  let storage: ObjectStorage;
  let deleted: string[];

  beforeAll(async () => {
    Logger.overrideLogger(false);
    db = await createTestDatabase();
    config = parseConfig(testEnv({ databaseUrl: db.url, extra: { DATABASE_POOL_MAX: '5', RECONCILE_AFTER_MS: '60000' } }));
    // The migrator logs every step; the test only needs to know it worked.
    orm = await MikroORM.init({ ...ormConfig(config), logger: () => undefined });
    await migrateWithLock(orm);
    statements = new JobStatements(config);
  });
  afterAll(async () => {
    await statements?.onApplicationShutdown();
    await orm?.close(true);
    await db?.drop();
  });

  beforeEach(async () => {
    await orm.em.fork().execute('truncate job, webhook_endpoint cascade');
    events = new RecordingEventPublisher();
    enqueued = [];
    inQueue = new Set();
    active = new Set();
    onEnqueue = async () => undefined;
    const producer = strictFake<JobProducer>('JobProducer', {
      enqueue: async (job) => {
        await onEnqueue(job);
        enqueued.push(job.id);
      },
      has: async (job) => inQueue.has(job.id),
      running: async (job) => active.has(job.id),
      remove: async () => undefined,
    });
    deleted = [];
    storage = strictFake<ObjectStorage>('ObjectStorage', { delete: async (key) => void deleted.push(key) });
    jobs = new JobsService(orm.em, producer, statements, events, storage, s, new WebhooksService(orm.em, parseConfig({}), new RecordingEventPublisher(), s, new Metrics('test')), new Metrics('test'));
  });

  const findJob = (id: string) => orm.em.fork().findOne(Job, { id });
  const transitions = async (id: string) =>
    (await orm.em.fork().find(JobTransition, { job: id }, { orderBy: { id: 'asc' } })).map((t) => t.toStatus);

  describe('create', () => {
    it('stores a queued job with its first transition', async () => {
      const req = createRequest();

      const { job: record } = await jobs.create(req);

      expect(record).toMatchObject({ id: req.id, tenant: req.tenant, type: req.type, status: 'queued', attempts: 0 });
      expect(await findJob(req.id)).toMatchObject({ status: 'queued', tenant: req.tenant });
      expect(await transitions(req.id)).toEqual(['queued']);
    });

    it('fails only the job whose text PostgreSQL refuses, not the others committed in the same statement', async () => {
      // The first create goes out alone; the rest wait for it and share one INSERT with the bad one.
      const good = Array.from({ length: 6 }, () => createRequest());
      const bad = createRequest({ metadata: { a: '\ud800' } });

      const answers = await Promise.allSettled([good[0], ...good.slice(1, 3), bad, ...good.slice(3)].map((r) => jobs.create(r)));

      expect(answers.map((a) => a.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
      expect(isInvalidInput((answers[3] as PromiseRejectedResult).reason)).toBe(true);
      for (const r of good) expect(await findJob(r.id)).not.toBeNull();
      expect(await findJob(bad.id)).toBeNull();
    });

    it('enqueues the job only after its row is committed', async () => {
      const req = createRequest();
      let visibleAtEnqueue: Job | null = null;
      onEnqueue = async (job) => void (visibleAtEnqueue = await findJob(job.id));

      await jobs.create(req);
      for (let i = 0; i < 100 && !enqueued.length; i++) await new Promise((r) => setTimeout(r, 10));

      expect(enqueued).toEqual([req.id]);
      expect(visibleAtEnqueue).not.toBeNull();
    });

    it('still answers with the job when the queue cannot take it, or does not answer at all', async () => {
      const refused = createRequest();
      onEnqueue = async () => Promise.reject(new Error('redis down'));
      const { job: record } = await jobs.create(refused);
      expect(record.status).toBe('queued');
      expect(await findJob(refused.id)).not.toBeNull();

      // Redis away: an add waits for it, the 202 does not (the commit is what was promised).
      const hanging = createRequest();
      onEnqueue = () => new Promise(() => undefined);
      await expect(jobs.create(hanging)).resolves.toMatchObject({ job: { id: hanging.id, status: 'queued' } });
    });

    it('answers a repeated create with the job already there, without a second row or enqueue', async () => {
      const req = createRequest();
      const { job: first } = await jobs.create(req);

      const { job: second } = await jobs.create(req);

      expect(second).toEqual(first);
      expect(enqueued).toEqual([req.id]);
      expect(await transitions(req.id)).toEqual(['queued']);
    });

    it('stores creates that arrive at once, shared statements and all, each with its row and first transition', async () => {
      const reqs = Array.from({ length: 40 }, (_, i) => createRequest({ metadata: { n: i, quote: 'it\'s "quoted", {braced}' } }));

      const replies = await Promise.all(reqs.map((r) => jobs.create(r)));

      expect(replies.map((r) => r.job.id)).toEqual(reqs.map((r) => r.id));
      for (const r of reqs) {
        expect(await findJob(r.id)).toMatchObject({ status: 'queued', metadata: r.metadata, input: r.input });
        expect(await transitions(r.id)).toEqual(['queued']);
      }
      expect(enqueued.sort()).toEqual(reqs.map((r) => r.id).sort());
    });

    it('makes one job of concurrent creates with the same Idempotency-Key, and answers the others with it', async () => {
      const idempotency = { key: 'order-77', fingerprint: 'f1' };
      const reqs = Array.from({ length: 20 }, () => createRequest({ idempotency }));

      const replies = await Promise.all(reqs.map((r) => jobs.create(r)));

      const ids = new Set(replies.map((r) => r.job.id));
      expect(ids.size).toBe(1);
      expect(replies.filter((r) => !r.replayed)).toHaveLength(1);
      expect(enqueued).toEqual([...ids]);
    });

    it('refuses an id another tenant already holds, without revealing that job', async () => {
      const req = createRequest({ tenant: 'acme' });
      await jobs.create(req);

      const error = await jobs.create(createRequest({ id: req.id, tenant: 'globex' })).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(RpcFailure);
      expect(error).toMatchObject({ status: 409 });
      expect((await findJob(req.id))?.tenant).toBe('acme');
    });

    it('rejects an unknown job type with a 422 and stores nothing', async () => {
      const req = createRequest({ type: 'video.transcode' });

      const error = await jobs.create(req).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(RpcFailure);
      expect(error).toMatchObject({ code: ErrorCode.UnknownJobType, status: 422 });
      expect(await findJob(req.id)).toBeNull();
      expect(enqueued).toEqual([]);
    });
  });

  describe('get (JobStatements)', () => {
    const reader = { get: (req: { tenant: string; id: string }) => statements.get(req) };

    it('returns the tenant\'s own job', async () => {
      const req = createRequest();
      const { job: created } = await jobs.create(req);

      const got = await reader.get({ tenant: req.tenant, id: req.id });

      expect(got).toEqual(created);
    });

    it('answers 404 for another tenant\'s job', async () => {
      const req = createRequest({ tenant: 'acme' });
      await jobs.create(req);

      const error = await reader.get({ tenant: 'globex', id: req.id }).catch((e: unknown) => e);

      expect(error).toMatchObject({ code: ErrorCode.NotFound, status: 404 });
    });

    it('answers 404 for an id that is not a uuid', async () => {
      const error = await reader.get({ tenant: 'acme', id: "1' or '1'='1" }).catch((e: unknown) => e);

      expect(error).toMatchObject({ code: ErrorCode.NotFound, status: 404 });
    });

    it('reads a finished job exactly as the ORM does: result, timestamps, metadata, notify', async () => {
      const req = createRequest({ metadata: { shop: 'tea', n: 2 }, notify: { webhook: 'https://hooks.example.com/x' } });
      await jobs.create(req);
      await jobs.applyEvent(started(req.id));
      await jobs.applyEvent(progress(req.id, 40));
      await jobs.applyEvent(completed(req.id));

      const got = await reader.get({ tenant: req.tenant, id: req.id });

      expect(got).toEqual(toRecord((await findJob(req.id))!));
      expect(got).toMatchObject({ status: 'completed', metadata: { shop: 'tea', n: 2 }, result: { key: `results/${req.id}.json` } });
      expect(typeof got.finishedAt).toBe('string');
    });
  });

  describe('list', () => {
    it('pages through jobs created in the same instant without skipping or repeating one', async () => {
      const reqs = Array.from({ length: 5 }, () => createRequest({ tenant: 'paging' }));
      for (const r of reqs) await jobs.create(r);
      await orm.em.fork().execute(`update job set created_at = '2026-01-01T00:00:00Z' where tenant = 'paging'`);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await jobs.list({ tenant: 'paging', limit: 2, cursor });
        seen.push(...page.jobs.map((j) => j.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(reqs.map((r) => r.id).sort().reverse());
    });
  });

  describe('retention', () => {
    it('purges finished jobs after their tenant\'s retention, others after the default', async () => {
      const deleted: string[] = [];
      storage = strictFake<ObjectStorage>('ObjectStorage', { delete: async (key) => void deleted.push(key) });
      jobs = new JobsService(orm.em, strictFake<JobProducer>('JobProducer', { enqueue: async () => undefined }), statements, events, storage, s, new WebhooksService(orm.em, parseConfig({}), new RecordingEventPublisher(), s, new Metrics('test')), new Metrics('test'));
      const shortLived = createRequest({ tenant: 'brief' });
      const keptLonger = createRequest({ tenant: 'default-retention' });
      for (const r of [shortLived, keptLonger]) await jobs.create(r);
      await orm.em.fork().execute(`update job set status = 'completed', finished_at = now() - interval '3 days', result = '{"key":"results/x.json","contentType":"application/json","size":2}', result_body = '{}'`);
      await new TenantSettingsService(orm.em).setRetention('brief', 2);

      const purged = await jobs.purgeExpired(7);

      expect(purged).toBe(1);
      expect(deleted).toEqual(['results/x.json']);
      expect(await statements.resultBody({ tenant: 'brief', id: shortLived.id })).toEqual({ body: null });
      expect(await statements.resultBody({ tenant: 'default-retention', id: keptLonger.id })).toEqual({ body: '{}' });
      expect((await findJob(shortLived.id))?.purgedAt).not.toBeNull();
      expect((await findJob(keptLonger.id))?.purgedAt).toBeNull();
      expect(await jobs.purgeExpired(7)).toBe(0);
    });
  });

  describe('retention bounds', () => {
    it('keeps purging for everyone when one tenant has an absurd retention stored, and refuses to store one', async () => {
      const deleted: string[] = [];
      storage = strictFake<ObjectStorage>('ObjectStorage', { delete: async (key) => void deleted.push(key) });
      jobs = new JobsService(orm.em, strictFake<JobProducer>('JobProducer', { enqueue: async () => undefined }), statements, events, storage, s, new WebhooksService(orm.em, parseConfig({}), new RecordingEventPublisher(), s, new Metrics('test')), new Metrics('test'));
      const other = createRequest({ tenant: 'ordinary' });
      const forever = createRequest({ tenant: 'forever' });
      for (const r of [other, forever]) await jobs.create(r);
      await orm.em.fork().execute(`update job set status = 'completed', finished_at = now() - interval '30 days'`);
      // As `keys retention --days 1e9` stored it before the CLI was bounded.
      await orm.em.fork().execute(`insert into tenant_settings (tenant, retention_days, updated_at) values ('forever', 1e9, now()) on conflict (tenant) do update set retention_days = excluded.retention_days`);

      expect(await jobs.purgeExpired(7)).toBe(1);
      expect((await findJob(other.id))?.purgedAt).not.toBeNull();
      expect((await findJob(forever.id))?.purgedAt).toBeNull();
      for (const days of [1e9, 0, -1, 1.5, NaN]) await expect(new TenantSettingsService(orm.em).setRetention('forever', days)).rejects.toThrow('from 1 to 36500');
      await orm.em.fork().execute(`delete from tenant_settings where tenant = 'forever'`);
    });
  });

  describe('applyEvent', () => {
    const withWebhook = () => createRequest({ notify: { webhook: 'https://hooks.example.com/jobdesk' } });

    it('keeps a small result in the row: its exact bytes by tracker.result, never in a status read, gone after a purge', async () => {
      const req = createRequest();
      await jobs.create(req);
      const body = '{"name":"Zoë","skills":["a","b"]}'; // key order and spacing as the worker wrote them
      const size = Buffer.byteLength(body);
      await jobs.applyEvent(started(req.id));
      await jobs.applyEvent(workerEvent('job.completed', req.id, 1, { result: { contentType: 'application/json', size, body } }));

      const read = await statements.get({ tenant: req.tenant, id: req.id });
      expect(read).toMatchObject({ status: 'completed', result: { contentType: 'application/json', size } });
      expect(read.result).not.toHaveProperty('key');
      expect(JSON.stringify(read)).not.toContain('Zoë');
      expect(await statements.resultBody({ tenant: req.tenant, id: req.id })).toEqual({ body });
      await expect(statements.resultBody({ tenant: 'other', id: req.id })).rejects.toMatchObject({ status: 404 });

      await jobs.cancel({ tenant: req.tenant, id: req.id, purge: true });
      expect(await statements.resultBody({ tenant: req.tenant, id: req.id })).toEqual({ body: null });
      expect(deleted).toEqual([]); // no file was ever written for it
    });

    it('applies the events of a job it created without reading the row again, and reads it when another writer got there first', async () => {
      const pool = (statements as unknown as { pool: { query: (q: { name?: string }) => Promise<unknown> } }).pool;
      const query = jest.spyOn(pool, 'query');
      const reads = () => query.mock.calls.filter(([q]) => q.name === 'jobdesk-job-find-versioned').length;
      try {
        const mine = createRequest();
        await jobs.create(mine);
        for (const e of [started(mine.id), progress(mine.id, 50), completed(mine.id)]) await jobs.applyEvent(e);
        expect(await transitions(mine.id)).toEqual(['queued', 'processing', 'completed']);
        expect(reads()).toBe(0);

        // A cancel through the ORM changes the row behind the remembered version: the event's
        // compare-and-set fails, the row is read, and the cancel wins.
        const other = createRequest();
        await jobs.create(other);
        await jobs.applyEvent(started(other.id));
        await jobs.cancel({ tenant: other.tenant, id: other.id, purge: false });
        await jobs.applyEvent(completed(other.id));
        expect(reads()).toBe(1);
        expect(await findJob(other.id)).toMatchObject({ status: 'canceled' });
        expect(await transitions(other.id)).toEqual(['queued', 'processing', 'canceled']);
      } finally {
        query.mockRestore();
      }
    });

    it('takes a short attempt from queued straight to completed, its start and end times from the worker', async () => {
      const req = createRequest();
      await jobs.create(req);
      const created = (await findJob(req.id))!.createdAt.getTime();
      const startedAt = new Date(created + 20).toISOString();
      const endedAt = new Date(created + 45).toISOString();
      const done = { ...workerEvent('job.completed', req.id, 1, { startedAt, result: { contentType: 'application/json', size: 2, body: '{}' } }), occurredAt: endedAt };
      await jobs.applyEvent(done);
      const job = await findJob(req.id);
      expect(job).toMatchObject({ status: 'completed', attempt: 1 });
      expect([job!.startedAt!.toISOString(), job!.finishedAt!.toISOString()]).toEqual([startedAt, endedAt]);
      expect(await transitions(req.id)).toEqual(['queued', 'completed']);
    });

    it('never has a job start before it was created, nor end before it started (a worker clock behind)', async () => {
      const req = createRequest();
      await jobs.create(req);
      const created = (await findJob(req.id))!.createdAt;
      const early = new Date(created.getTime() - 60_000).toISOString();
      await jobs.applyEvent(workerEvent('job.started', req.id, 1, { startedAt: early }));
      await jobs.applyEvent({ ...completed(req.id), occurredAt: early });
      const job = (await findJob(req.id))!;
      expect(job.startedAt!.getTime()).toBe(created.getTime());
      expect(job.finishedAt!.getTime()).toBe(created.getTime());
    });

    it('refuses a completed event with both a storage key and a body, or neither', () => {
      const result = { contentType: 'application/json', size: 2 };
      expect(() => completed(randomUUID())).not.toThrow();
      expect(() => workerEvent('job.completed', randomUUID(), 1, { result: { ...result, key: 'results/x.json', body: '{}' } })).toThrow(/not both/);
      expect(() => workerEvent('job.completed', randomUUID(), 1, { result })).toThrow(/not both/);
    });

    it('records exactly one completed transition when the completion arrives twice', async () => {
      const req = createRequest();
      await jobs.create(req);
      const done = completed(req.id);

      for (const e of [started(req.id), progress(req.id, 50), done, done]) await jobs.applyEvent(e);

      expect(await transitions(req.id)).toEqual(['queued', 'processing', 'completed']);
      expect(await findJob(req.id)).toMatchObject({ status: 'completed', progress: 100, result: { key: `results/${req.id}.json` } });
    });

    it('announces a finished job that has notify targets on its notify subject', async () => {
      const req = withWebhook();
      await jobs.create(req);

      for (const e of [started(req.id), completed(req.id)]) await jobs.applyEvent(e);

      const announced = events.on(s.notify(req.id)).map((e) => JobFinishedNotification.parse(e));
      expect(announced).toHaveLength(1);
      expect(announced[0].data).toMatchObject({ jobId: req.id, status: 'completed', notify: req.notify });
    });

    it('announces nothing for a job without notify targets', async () => {
      const req = createRequest();
      await jobs.create(req);

      for (const e of [started(req.id), completed(req.id)]) await jobs.applyEvent(e);

      expect(events.published).toEqual([]);
    });

    it('re-announces on a repeated terminal event, under the same notification id', async () => {
      const req = withWebhook();
      await jobs.create(req);
      const done = completed(req.id);

      for (const e of [started(req.id), done, done]) await jobs.applyEvent(e);

      const ids = events.on(s.notify(req.id)).map((e) => e.id);
      expect(ids).toHaveLength(2);
      expect(new Set(ids).size).toBe(1);
    });

    it('announces each ending of a job retried by hand on its own: a new notification id for the new ending', async () => {
      const req = withWebhook();
      await jobs.create(req);
      await jobs.applyEvent(started(req.id));
      await jobs.applyEvent(workerEvent('job.failed', req.id, 1, { willRetry: false, error: { code: 'worker_error', message: 'boom' } }));
      await jobs.retry({ tenant: req.tenant, id: req.id });
      await jobs.applyEvent(started(req.id, 2));
      await jobs.applyEvent(completed(req.id, 2));

      const sent = events.on(s.notify(req.id)).map((e) => JobFinishedNotification.parse(e));
      expect(sent.map((n) => n.data.status)).toEqual(['failed', 'completed']);
      expect(new Set(sent.map((n) => n.id)).size).toBe(2);
      expect(webhookMessageId(req.id, 'completed', sent[1].data.finishedAt)).not.toBe(webhookMessageId(req.id, 'failed', sent[0].data.finishedAt));
    });

    it('refuses to retry a canceled job while its attempt still runs, and retries it once it has stopped', async () => {
      const req = createRequest();
      await jobs.create(req);
      await jobs.applyEvent(started(req.id));
      await jobs.cancel({ tenant: req.tenant, id: req.id, purge: false });
      active.add(req.id);
      await expect(jobs.retry({ tenant: req.tenant, id: req.id })).rejects.toMatchObject({ status: 409, message: expect.stringContaining('still running') });
      expect((await findJob(req.id))?.status).toBe('canceled');
      active.delete(req.id);
      await expect(jobs.retry({ tenant: req.tenant, id: req.id })).resolves.toMatchObject({ status: 'queued' });
      await expect(jobs.retry({ tenant: req.tenant, id: "'" })).rejects.toMatchObject({ status: 404 }); // not a uuid: no query
    });

    it('announces a cancel on the job\'s canceled subject, for the worker that may be running it', async () => {
      const req = createRequest();
      await jobs.create(req);
      await jobs.applyEvent(started(req.id));

      await jobs.cancel({ tenant: req.tenant, id: req.id, purge: false });

      expect(events.broadcasts.filter((b) => b.subject === s.canceled(req.id))).toEqual([{ subject: s.canceled(req.id), payload: { jobId: req.id } }]);
    });

    it('keeps the schedule of a scheduled job retried after a cancel, and runs a failed one now', async () => {
      const runAt = new Date(Date.now() + 3_600_000).toISOString();
      const scheduled = { ...createRequest(), runAt };
      await jobs.create(scheduled);
      await jobs.cancel({ tenant: scheduled.tenant, id: scheduled.id, purge: false });
      const failed = { ...createRequest(), runAt: new Date(Date.now() + 50).toISOString() };
      await jobs.create(failed);
      await new Promise((r) => setTimeout(r, 60));
      await jobs.applyEvent(started(failed.id));
      await jobs.applyEvent(workerEvent('job.failed', failed.id, 1, { willRetry: false, error: { code: 'worker_error', message: 'boom' } }));

      await jobs.retry({ tenant: scheduled.tenant, id: scheduled.id });
      await jobs.retry({ tenant: failed.tenant, id: failed.id });

      expect((await findJob(scheduled.id))?.runAt?.toISOString()).toBe(runAt);
      expect((await findJob(failed.id))?.runAt).toBeNull();
    });

    it('broadcasts each change on the job\'s status subject', async () => {
      const req = createRequest();
      await jobs.create(req);

      for (const e of [started(req.id), progress(req.id, 30), completed(req.id)]) await jobs.applyEvent(e);

      const statuses = events.broadcasts.filter((b) => b.subject === s.status(req.tenant, req.id)).map((b) => (b.payload as { status: string; progress: number }));
      expect(statuses.map((b) => [b.status, b.progress])).toEqual([['processing', 0], ['processing', 30], ['completed', 100]]);
    });

    it('does not move a completed job back when older events arrive late', async () => {
      const req = createRequest();
      await jobs.create(req);

      for (const e of [completed(req.id), started(req.id), progress(req.id, 40)]) await jobs.applyEvent(e);

      expect(await findJob(req.id)).toMatchObject({ status: 'completed', progress: 100 });
      expect(await transitions(req.id)).toEqual(['queued', 'completed']);
    });

    it('writes nothing over a row that changed since it was read, and the event then loses to the cancel', async () => {
      const req = createRequest();
      await jobs.create(req);
      const stale = await statements.findVersioned(req.id);
      await jobs.cancel({ tenant: req.tenant, id: req.id, purge: false });

      const written = await statements.applyChange(req.id, stale!.version, { status: 'processing', attempt: 1, progress: 0, startedAt: new Date(), finishedAt: null, updatedAt: new Date() }, { from: 'queued', eventId: 'ev-stale' });
      await jobs.applyEvent(started(req.id));

      expect(written).toBeNull();
      expect(await findJob(req.id)).toMatchObject({ status: 'canceled' });
      expect(await transitions(req.id)).toEqual(['queued', 'canceled']);
    });

    it('gives each status change its transition id as the broadcast seq', async () => {
      const req = createRequest();
      await jobs.create(req);

      for (const e of [started(req.id), progress(req.id, 30), completed(req.id)]) await jobs.applyEvent(e);

      const seqs = events.broadcasts.filter((b) => b.subject === s.status(req.tenant, req.id)).map((b) => (b.payload as { seq: number | null }).seq);
      const ids = (await jobs.transitions({ tenant: req.tenant, id: req.id, after: 0 })).map((t) => t.seq);
      expect(seqs).toEqual([ids[1], null, ids[2]]);
    });

    it('stamps a status change live with the time its transition is stored with, so live and replayed events agree', async () => {
      const req = createRequest();
      await jobs.create(req);

      for (const e of [started(req.id), completed(req.id)]) await jobs.applyEvent(e);

      const live = events.broadcasts.filter((b) => b.subject === s.status(req.tenant, req.id)).map((b) => (b.payload as { at: string }).at);
      const stored = (await jobs.transitions({ tenant: req.tenant, id: req.id, after: 0 })).slice(1).map((t) => t.at);
      expect(live).toEqual(stored);
    });

    it('deletes the result a worker stored for a job canceled while it ran, and keeps a completed job\'s', async () => {
      const canceled = createRequest();
      const kept = createRequest();
      for (const r of [canceled, kept]) {
        await jobs.create(r);
        await jobs.applyEvent(started(r.id));
      }
      await jobs.cancel({ tenant: canceled.tenant, id: canceled.id, purge: true });
      deleted.length = 0;

      await jobs.applyEvent(completed(canceled.id));
      await jobs.applyEvent(completed(kept.id));

      expect(deleted).toEqual([`results/${canceled.id}.json`]);
      expect(await findJob(canceled.id)).toMatchObject({ status: 'canceled', result: null });
    });

    it('ignores events for a job it does not know', async () => {
      const unknown = randomUUID();

      await expect(jobs.applyEvent(completed(unknown))).resolves.toBeUndefined();

      expect(events.published).toEqual([]);
      expect(events.broadcasts).toEqual([]);
      expect(await findJob(unknown)).toBeNull();
    });
  });

  describe('reconciler', () => {
    let reconciler: ReconcilerService;
    beforeEach(() => {
      const producer = strictFake<JobProducer>('JobProducer', {
        enqueue: async (job) => void enqueued.push(job.id),
        has: async (job) => inQueue.has(job.id),
        abandoned: async (job) => abandoned.get(job.id) ?? null,
      });
      reconciler = new ReconcilerService(orm.em, producer, jobs, config);
    });
    const abandoned = new Map<string, string>();

    it('fails a processing job the queue abandoned after its worker kept dying', async () => {
      const req = createRequest();
      await jobs.create(req);
      await jobs.applyEvent({ id: 'e-start', type: 'job.started', version: 1, occurredAt: new Date().toISOString(), correlationId: 'c', data: { jobId: req.id, tenant: req.tenant, attempt: 1 } });
      await age(req.id);
      inQueue.add(req.id);
      abandoned.set(req.id, 'job stalled more than allowable limit');

      await reconciler.sweep();

      const job = await findJob(req.id);
      expect(job).toMatchObject({ status: 'failed', error: { code: 'worker_lost' } });
      expect(job?.error?.message).toMatch(/stalled/);
      expect(await transitions(req.id)).toEqual(['queued', 'processing', 'failed']);
    });

    /** Makes a job look untouched for longer than RECONCILE_AFTER_MS. */
    const age = (id: string) =>
      orm.em.fork().execute(`update job set updated_at = now() - interval '1 millisecond' * ? * 2 where id = ?`, [config.RECONCILE_AFTER_MS, id]);

    it('re-adds a stale queued job the queue has lost, and not one it still holds', async () => {
      const lost = createRequest();
      const kept = createRequest();
      for (const r of [lost, kept]) {
        await jobs.create(r);
        await age(r.id);
      }
      enqueued = [];
      inQueue.add(kept.id);

      const readded = await reconciler.sweep();

      expect(readded).toBe(1);
      expect(enqueued).toEqual([lost.id]);
    });

    it('leaves a recently updated job alone even when the queue does not have it', async () => {
      await jobs.create(createRequest());
      enqueued = [];

      const readded = await reconciler.sweep();

      expect(readded).toBe(0);
      expect(enqueued).toEqual([]);
    });

    describe('webhooks Redis lost', () => {
      /** A finished job with a webhook, finished longer than RECONCILE_AFTER_MS ago. */
      async function finishedWithWebhook() {
        const req = createRequest({ notify: { webhook: 'https://hooks.example.com/jobdesk' } });
        await jobs.create(req);
        await jobs.applyEvent(started(req.id));
        await jobs.applyEvent(completed(req.id));
        await orm.em.fork().execute(`update job set finished_at = now() - interval '1 millisecond' * ? * 2 where id = ?`, [config.RECONCILE_AFTER_MS, req.id]);
        return req;
      }
      const announcements = (id: string) => events.on(s.notify(id)).map((e) => JobFinishedNotification.parse(e));
      /** The webhook-id of the job's ending as stored (the tests move finished_at back in time). */
      const messageIdOf = async (id: string) => webhookMessageId(id, 'completed', (await findJob(id))!.finishedAt!);

      it('announces a finished job again when the delivery queue lost its webhook and the log never saw it delivered', async () => {
        const req = await finishedWithWebhook();
        reconciler.webhookQueued = async () => false;

        await reconciler.sweep();

        const sent = announcements(req.id);
        expect(sent).toHaveLength(2);
        // The notification of this ending (so email and SMS are not made twice), the same final status.
        expect(sent[1]).toMatchObject({ id: `${req.id}.finished.${jobEnding((await findJob(req.id))!.finishedAt!)}`, data: { status: 'completed', redelivery: 0 } });
      });

      it('leaves it alone while the queue holds the delivery, or once the log shows it delivered', async () => {
        const held = await finishedWithWebhook();
        const delivered = await finishedWithWebhook();
        await orm.em.fork().execute(
          `insert into webhook_delivery (event_id, job_id, tenant, message_id, url, attempt, status_code, latency_ms, error, outcome, final, at)
           values (?, ?, 'acme', ?, 'https://hooks.example.com/jobdesk', 1, 200, 5, null, 'delivered', true, now())`,
          [randomUUID(), delivered.id, await messageIdOf(delivered.id)],
        );
        reconciler.webhookQueued = async (id) => id === held.id;

        await reconciler.sweep();

        expect(announcements(held.id)).toHaveLength(1);
        expect(announcements(delivered.id)).toHaveLength(1);
      });

      it("re-announces for a registered endpoint whose delivery Redis lost, even when the job's own webhook was delivered", async () => {
        const webhooks = new WebhooksService(orm.em, config, events, s, new Metrics('test'));
        jobs = new JobsService(orm.em, strictFake<JobProducer>('JobProducer', { enqueue: async () => undefined }), statements, events, storage, s, webhooks, new Metrics('test'));
        reconciler = new ReconcilerService(orm.em, strictFake<JobProducer>('JobProducer'), jobs, config);
        const ep = await webhooks.createEndpoint({ tenant: 'acme', url: 'https://hooks.example.com/endpoint' });
        await orm.em.fork().execute(`update webhook_endpoint set created_at = now() - interval '1 day'`);
        const req = await finishedWithWebhook();
        await orm.em.fork().execute(
          `insert into webhook_delivery (event_id, job_id, tenant, message_id, url, attempt, status_code, latency_ms, error, outcome, final, at)
           values (?, ?, 'acme', ?, 'https://hooks.example.com/jobdesk', 1, 200, 5, null, 'delivered', true, now())`,
          [randomUUID(), req.id, await messageIdOf(req.id)],
        );
        const asked: Array<string | null> = [];
        reconciler.webhookQueued = async (_id, _status, _finishedAt, endpointId) => {
          asked.push(endpointId);
          return false;
        };

        await reconciler.sweep();

        expect(asked).toEqual([ep.id]);
        const sent = announcements(req.id);
        expect(sent).toHaveLength(2);
        expect(sent[1].data.endpoints).toEqual([{ id: ep.id, url: ep.url }]);
      });
    });

    it('lets only one sweep run at a time', async () => {
      const req = createRequest();
      await jobs.create(req);
      await age(req.id);
      enqueued = [];
      let entered!: () => void;
      const firstInside = new Promise<void>((r) => (entered = r));
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      let hasCalls = 0;
      const slow = strictFake<JobProducer>('JobProducer', {
        enqueue: async (job) => void enqueued.push(job.id),
        has: async () => {
          if (++hasCalls === 1) {
            entered();
            await released;
          }
          return false;
        },
      });
      const leader = new ReconcilerService(orm.em, slow, jobs, config);
      const other = new ReconcilerService(orm.em, slow, jobs, config);

      const first = leader.sweep();
      await firstInside;
      const second = await other.sweep();
      release();

      expect(second).toBe(0);
      expect(await first).toBe(1);
      expect(enqueued).toEqual([req.id]);
    });
  });
});
