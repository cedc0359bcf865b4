import { Logger } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { CreateJobRequest, JobFinishedNotification, subjects, WebhookAttempted, WorkerEvent } from '@jobdesk/contracts';
import { AppConfig, parseConfig } from '@jobdesk/config';
import { RpcFailure } from '@jobdesk/messaging';
import { Metrics } from '@jobdesk/observability';
import { ObjectStorage } from '@jobdesk/storage';
import { migrateWithLock } from '@jobdesk/persistence';
import { createTestDatabase, RecordingEventPublisher, strictFake, TestDatabase, testEnv, uniquePrefix } from '@jobdesk/testing';
import { ormConfig } from '../mikro-orm.config';
import { JobProducer } from '../jobs/job-producer';
import { JobsService } from '../jobs/jobs.service';
import { JobStatements } from '../jobs/job-statements';
import { Job } from '../jobs/job.entity';
import { DeliveriesService } from '../deliveries/deliveries.service';
import { WebhooksService } from './webhooks.service';

const s = subjects(uniquePrefix('webhooks'));
const DAY = 86_400_000;

describe('per-tenant webhooks (real PostgreSQL)', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let statements: JobStatements;
  let config: AppConfig;
  let events: RecordingEventPublisher;
  let webhooks: WebhooksService;
  let jobs: JobsService;
  let deliveries: DeliveriesService;
  let created: string[];

  beforeAll(async () => {
    Logger.overrideLogger(false);
    db = await createTestDatabase();
    config = parseConfig(testEnv({ databaseUrl: db.url, extra: { DATABASE_POOL_MAX: '5' } }));
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
    await orm.em.fork().execute('truncate job, webhook_endpoint, tenant_settings cascade');
    events = new RecordingEventPublisher();
    created = [];
    const producer = strictFake<JobProducer>('JobProducer', { enqueue: async (job) => void created.push(job.id) });
    webhooks = new WebhooksService(orm.em, config, events, s, new Metrics('test'));
    jobs = new JobsService(orm.em, producer, statements, events, strictFake<ObjectStorage>('ObjectStorage'), s, webhooks, new Metrics('test'));
    deliveries = new DeliveriesService(orm.em, jobs, webhooks);
  });

  async function finishedJob(tenant: string, status: 'completed' | 'failed', notify: Record<string, string> | null = null): Promise<string> {
    const id = randomUUID();
    await jobs.create(CreateJobRequest.parse({ id, tenant, type: 'noop', input: { kind: 'json', data: {} }, notify, maxAttempts: 1 }));
    const ev = (type: WorkerEvent['type'], extra: Record<string, unknown> = {}) =>
      WorkerEvent.parse({ id: `${id}.${type}`, type, version: 1, occurredAt: new Date().toISOString(), correlationId: 'c', data: { jobId: id, tenant, attempt: 1, ...extra } });
    await jobs.applyEvent(ev('job.started'));
    await jobs.applyEvent(status === 'completed' ? ev('job.completed', { result: { key: `results/${id}.json`, contentType: 'application/json', size: 2 } }) : ev('job.failed', { willRetry: false, error: { code: 'worker_error', message: 'boom' } }));
    return id;
  }
  const notifications = () => events.published.filter((p) => p.subject.startsWith(s.notify(''))).map((p) => JobFinishedNotification.parse(p.event));

  let seq = 0;
  function attempt(endpointId: string, outcome: WebhookAttempted['data']['outcome'], at: Date, jobId: string): WebhookAttempted {
    return WebhookAttempted.parse({
      id: `att-${++seq}`,
      type: 'webhook.attempted',
      version: 1,
      occurredAt: at.toISOString(),
      correlationId: 'c',
      data: { jobId, tenant: 'acme', messageId: 'msg_x', url: 'https://hooks.example.com/a', endpointId, attempt: 1, statusCode: outcome === 'gone' ? 410 : outcome === 'delivered' ? 200 : 503, latencyMs: 5, error: null, outcome, final: outcome !== 'failed' },
    });
  }

  describe('endpoints', () => {
    it('registers an endpoint with its own whsec_ secret and every event by default; another tenant cannot see it', async () => {
      const ep = await webhooks.createEndpoint({ tenant: 'acme', url: 'https://hooks.example.com/a' });

      expect(ep).toMatchObject({ url: 'https://hooks.example.com/a', events: ['job.completed', 'job.failed', 'job.canceled'], enabled: true, disabled_reason: null });
      expect(ep.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect((await webhooks.listEndpoints({ tenant: 'acme' })).map((e) => e.id)).toEqual([ep.id]);
      expect(await webhooks.listEndpoints({ tenant: 'globex' })).toEqual([]);
      for (const call of [() => webhooks.getEndpoint({ tenant: 'globex', id: ep.id }), () => webhooks.deleteEndpoint({ tenant: 'globex', id: ep.id }), () => webhooks.getEndpoint({ tenant: 'acme', id: 'not-a-uuid' })]) {
        await expect(call()).rejects.toMatchObject({ status: 404 });
      }
      const other = await webhooks.createEndpoint({ tenant: 'acme', url: 'https://hooks.example.com/b' });
      expect(other.secret).not.toBe(ep.secret);
    });

    it('refuses more than the per-tenant limit', async () => {
      for (let i = 0; i < 20; i++) await webhooks.createEndpoint({ tenant: 'acme', url: `https://hooks.example.com/${i}` });
      await expect(webhooks.createEndpoint({ tenant: 'acme', url: 'https://hooks.example.com/21' })).rejects.toBeInstanceOf(RpcFailure);
      await expect(webhooks.createEndpoint({ tenant: 'globex', url: 'https://hooks.example.com/1' })).resolves.toMatchObject({ enabled: true });
    });

    it("announces a finished job to the endpoints that want its event, even when the job named no webhook", async () => {
      const all = await webhooks.createEndpoint({ tenant: 'acme', url: 'https://hooks.example.com/all' });
      const failures = await webhooks.createEndpoint({ tenant: 'acme', url: 'https://hooks.example.com/failures', events: ['job.failed'] });
      await webhooks.createEndpoint({ tenant: 'globex', url: 'https://hooks.example.com/globex' });

      const ok = await finishedJob('acme', 'completed');
      const bad = await finishedJob('acme', 'failed');
      const quiet = await finishedJob('solo', 'completed');

      const byJob = Object.fromEntries(notifications().map((n) => [n.data.jobId, n.data.endpoints.map((e) => e.id)]));
      expect(byJob[ok]).toEqual([all.id]);
      expect(byJob[bad]).toEqual([all.id, failures.id]);
      expect(byJob[quiet]).toBeUndefined(); // no webhook, no endpoint: nothing to announce
    });

    it('stops announcing to a disabled or deleted endpoint at once (no stale cache in this process)', async () => {
      const a = await webhooks.createEndpoint({ tenant: 'acme', url: 'https://hooks.example.com/a' });
      const b = await webhooks.createEndpoint({ tenant: 'acme', url: 'https://hooks.example.com/b' });
      await webhooks.targetsFor('acme', 'job.completed'); // warm the cache
      await webhooks.updateEndpoint({ tenant: 'acme', id: a.id, changes: { enabled: false } });
      await webhooks.deleteEndpoint({ tenant: 'acme', id: b.id });

      expect(await webhooks.targetsFor('acme', 'job.completed')).toEqual([]);
      expect(await webhooks.signingSecrets({ tenant: 'acme', endpointId: a.id })).toMatchObject({ enabled: false });
      expect(await webhooks.signingSecrets({ tenant: 'acme', endpointId: b.id })).toEqual({ secrets: [], enabled: false });
      expect(await webhooks.getEndpoint({ tenant: 'acme', id: a.id })).toMatchObject({ enabled: false, disabled_reason: 'manual' });
    });
  });

  describe('signing secrets', () => {
    it("makes the tenant's secret on first use and keeps it", async () => {
      const first = await webhooks.getSecret({ tenant: 'acme' });
      expect(first).toEqual({ secret: expect.stringMatching(/^whsec_/), previous_valid_until: null });
      expect(await webhooks.getSecret({ tenant: 'acme' })).toEqual(first);
      expect(await webhooks.signingSecrets({ tenant: 'acme' })).toEqual({ secrets: [first.secret], enabled: true });
      expect((await webhooks.getSecret({ tenant: 'globex' })).secret).not.toBe(first.secret);
    });

    it('makes one secret when many first uses race', async () => {
      const got = await Promise.all(Array.from({ length: 10 }, () => webhooks.signingSecrets({ tenant: 'racy' })));
      expect(new Set(got.map((g) => g.secrets[0])).size).toBe(1);
    });

    it('rotation signs with both secrets for the grace period, then with the new one only', async () => {
      const old = await webhooks.getSecret({ tenant: 'acme' });
      const before = Date.now();
      const rotated = await webhooks.rotateSecret({ tenant: 'acme' });

      expect(rotated.secret).not.toBe(old.secret);
      const until = Date.parse(rotated.previous_valid_until!);
      expect(until - before).toBeGreaterThanOrEqual(config.WEBHOOK_SECRET_GRACE_S * 1000 - 5_000);
      expect(until - before).toBeLessThanOrEqual(config.WEBHOOK_SECRET_GRACE_S * 1000 + 5_000);
      expect(await webhooks.signingSecrets({ tenant: 'acme' })).toEqual({ secrets: [rotated.secret, old.secret], enabled: true });
      // Notifiers are told to drop their cached secrets of the tenant.
      expect(events.broadcasts).toContainEqual({ subject: s.webhooks.changed, payload: { tenant: 'acme' } });

      // The day is over (moved back in the database, not waited for).
      await orm.em.fork().execute(`update tenant_settings set webhook_previous_until = now() - interval '1 second' where tenant = 'acme'`);
      expect(await webhooks.signingSecrets({ tenant: 'acme' })).toEqual({ secrets: [rotated.secret], enabled: true });
      expect(await webhooks.getSecret({ tenant: 'acme' })).toEqual({ secret: rotated.secret, previous_valid_until: null });
    });

    it("rotates an endpoint's secret the same way, leaving the tenant's alone", async () => {
      const tenantSecret = await webhooks.getSecret({ tenant: 'acme' });
      const ep = await webhooks.createEndpoint({ tenant: 'acme', url: 'https://hooks.example.com/a' });
      const rotated = await webhooks.rotateEndpointSecret({ tenant: 'acme', id: ep.id });

      expect(await webhooks.signingSecrets({ tenant: 'acme', endpointId: ep.id })).toEqual({ secrets: [rotated.secret, ep.secret], enabled: true });
      expect(await webhooks.getSecret({ tenant: 'acme' })).toEqual(tenantSecret);
    });
  });

  describe('delivery log', () => {
    it('stores attempts that arrive together once each, and nothing for a job that is gone', async () => {
      const id = await finishedJob('acme', 'completed');
      const a = attempt(null as unknown as string, 'failed', new Date(), id);
      const b = attempt(null as unknown as string, 'delivered', new Date(), id);
      const orphan = attempt(null as unknown as string, 'delivered', new Date(), randomUUID());
      await Promise.all([deliveries.record(a), deliveries.record(b), deliveries.record(a), deliveries.record(orphan)]);
      const rows = await orm.em.fork().getConnection().execute<Array<{ event_id: string; outcome: string }>>('select event_id, outcome from webhook_delivery where job_id in (?, ?) order by id', [id, orphan.data.jobId]);
      expect(rows).toEqual([{ event_id: a.id, outcome: 'failed' }, { event_id: b.id, outcome: 'delivered' }]);
    });
  });

  describe('endpoint health', () => {
    it('disables an endpoint that answered 410 at once, and tells the tenant by email exactly once', async () => {
      await webhooks.putSettings({ tenant: 'acme', alert_email: 'ops@acme.example' });
      const ep = await webhooks.createEndpoint({ tenant: 'acme', url: 'https://hooks.example.com/a' });
      const job = await finishedJob('acme', 'completed');
      const gone = attempt(ep.id, 'gone', new Date(), job);

      await deliveries.record(gone);
      await deliveries.record(gone); // the same event, re-delivered by JetStream

      expect(await webhooks.getEndpoint({ tenant: 'acme', id: ep.id })).toMatchObject({ enabled: false, disabled_reason: 'gone', disabled_at: expect.any(String) });
      const alerts = await orm.em.fork().find(Job, { tenant: 'acme', type: 'email.send' });
      expect(alerts).toHaveLength(1);
      expect(alerts[0].metadata).toEqual({ webhook_endpoint: ep.id, reason: 'gone' });
      expect(await webhooks.targetsFor('acme', 'job.completed')).toEqual([]);
      expect((await deliveries.listForEndpoint({ tenant: 'acme', id: ep.id, limit: 10 })).map((d) => [d.job_id, d.endpoint_id, d.outcome])).toEqual([[job, ep.id, 'gone']]);
    });

    it('disables an endpoint after days of failures with no success, by the attempts\' own clock; a success resets it', async () => {
      const ep = await webhooks.createEndpoint({ tenant: 'acme', url: 'https://hooks.example.com/a' });
      const job = await finishedJob('acme', 'completed');
      const t0 = Date.now() - 10 * DAY;
      const limit = config.WEBHOOK_DISABLE_AFTER_S * 1000;

      await deliveries.record(attempt(ep.id, 'failed', new Date(t0), job));
      await deliveries.record(attempt(ep.id, 'failed', new Date(t0 + limit - DAY), job));
      expect(await webhooks.getEndpoint({ tenant: 'acme', id: ep.id })).toMatchObject({ enabled: true, failing_since: new Date(t0).toISOString() });

      // A success in between: the failing streak starts again.
      await deliveries.record(attempt(ep.id, 'delivered', new Date(t0 + limit - DAY / 2), job));
      expect(await webhooks.getEndpoint({ tenant: 'acme', id: ep.id })).toMatchObject({ enabled: true, failing_since: null });
      await deliveries.record(attempt(ep.id, 'failed', new Date(t0 + limit + DAY), job));
      expect(await webhooks.getEndpoint({ tenant: 'acme', id: ep.id })).toMatchObject({ enabled: true });

      await deliveries.record(attempt(ep.id, 'refused', new Date(t0 + 2 * limit + 2 * DAY), job));
      expect(await webhooks.getEndpoint({ tenant: 'acme', id: ep.id })).toMatchObject({ enabled: false, disabled_reason: 'failing' });
      // Nobody to email (no alert_email): no job was made for it.
      expect(await orm.em.fork().count(Job, { tenant: 'acme', type: 'email.send' })).toBe(0);

      // Turned back on by hand: healthy again, and announced to again.
      await webhooks.updateEndpoint({ tenant: 'acme', id: ep.id, changes: { enabled: true } });
      expect(await webhooks.getEndpoint({ tenant: 'acme', id: ep.id })).toMatchObject({ enabled: true, disabled_reason: null, failing_since: null });
      expect(await webhooks.targetsFor('acme', 'job.completed')).toEqual([{ id: ep.id, url: ep.url }]);
    });

    it("ignores attempts at the job's own webhook for endpoint health", async () => {
      const job = await finishedJob('acme', 'completed', { webhook: 'https://hooks.example.com/own' });
      const own = attempt(randomUUID(), 'gone', new Date(), job);
      own.data.endpointId = null;
      await expect(webhooks.recordAttempt(own)).resolves.toBeNull();
    });
  });
});
