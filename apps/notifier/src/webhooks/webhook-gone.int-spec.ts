import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { subjects, WebhookAttempts, WebhookDelivery } from '@jobdesk/contracts';
import { parseConfig } from '@jobdesk/config';
import { Metrics } from '@jobdesk/observability';
import { redisConnection } from '@jobdesk/queue';
import { RecordingEventPublisher, strictFake, uniquePrefix } from '@jobdesk/testing';
import { DeliverWebhookHandler } from './deliver-webhook.handler';
import { deliveryJobOptions } from './delivery-producer';
import { RedisGoneTargets } from './gone-targets';
import { SigningSecrets } from './signing-secrets';
import { WebhookDeliverProcessor } from './webhook-deliver.processor';
import { WebhookDispatcher } from './webhook-dispatcher';
import { FetchWebhookClient } from './webhook-sender';

const jobId = '0190a0a0-0000-7000-8000-0000000000e1';
const messageId = 'msg_e1_completed_1';
const endpointId = '0190a0a0-0000-7000-8000-0000000000e2';

/**
 * One message's sends to one receiver on the real `webhook.deliver` queue (own prefix): the
 * original delivery's retry and manual redeliveries (`-r<N>`), each its own BullMQ job, run one
 * at a time through the processor so the test decides what is pending when the receiver says 410.
 */
describe('webhook.deliver after a 410 Gone to another send of the same message', () => {
  let status = 500;
  let enabled = true;
  const got: string[] = [];
  let server: Server;
  let url: string;
  const config = parseConfig({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', QUEUE_PREFIX: uniquePrefix('notifier_gone') });
  let queue: Queue;
  let client: FetchWebhookClient;
  let events: RecordingEventPublisher;
  let dispatcher: WebhookDispatcher;
  let processor: WebhookDeliverProcessor;

  beforeAll(async () => {
    server = createServer((req, res) => {
      got.push(String(req.headers['webhook-id']));
      req.resume().on('end', () => ((res.statusCode = status), res.end()));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    queue = new Queue('webhook.deliver', { connection: redisConnection(config.REDIS_URL), prefix: config.QUEUE_PREFIX });
    client = new FetchWebhookClient(config);
  });

  beforeEach(() => {
    status = 500;
    enabled = true;
    got.length = 0;
    events = new RecordingEventPublisher();
    const secrets = strictFake<SigningSecrets>('SigningSecrets', { for: async () => ({ secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], enabled }) });
    const handler = new DeliverWebhookHandler(client, secrets, new RedisGoneTargets(queue, config), events, subjects('notifier_test'), new Metrics('notifier_test'));
    dispatcher = new WebhookDispatcher(handler, queue, config);
    processor = new WebhookDeliverProcessor(handler, strictFake<Queue>('Queue'));
  });

  afterEach(async () => {
    // Only this run's keys: its queue and the 410 marks under its prefix.
    await queue.obliterate({ force: true });
    const redis = (await queue.client) as unknown as Redis;
    await redis.del(`${config.QUEUE_PREFIX}:webhook-gone:${base}`, `${config.QUEUE_PREFIX}:webhook-gone:${messageId}-ep-${endpointId}`);
  });

  afterAll(async () => {
    await queue.close();
    await client.onApplicationShutdown();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const delivery = (target: { endpointId?: string } = {}): WebhookDelivery => ({ messageId, tenant: 'acme', jobId, url, endpointId: target.endpointId, body: '{"type":"job.completed"}' });
  const base = `${messageId}-webhook`;
  /**
   * Runs an attempt of the queue job (as stored in Redis: its data, options, timestamp) through the
   * processor now, as BullMQ would once its delay is up; `attemptsMade`: its attempts that failed
   * before (BullMQ's count, which this direct call does not advance). A failure is BullMQ's to handle.
   */
  const runNext = async (queueId: string, attemptsMade = 0) => {
    const job = (await queue.getJob(queueId))!;
    job.attemptsMade = attemptsMade;
    await processor.process(job).catch(() => undefined);
  };
  const logged = () => events.published.flatMap((p) => (p.event as unknown as WebhookAttempts).data.attempts).map((e) => [e.id, e.data.outcome, e.data.final, e.data.statusCode]);
  /** What a manual redelivery does: the whole delivery queued under `<base>-r<n>` (WebhookDispatcher, not direct). */
  const redeliver = (n: number, d = delivery()) => dispatcher.dispatch(d, `${webhookBase(d)}-r${n}`, false);
  const webhookBase = (d: WebhookDelivery) => (d.endpointId ? `${messageId}-ep-${d.endpointId}` : base);

  it('does not send the original delivery\'s scheduled retry once a redelivery of the message got 410', async () => {
    await dispatcher.dispatch(delivery(), base, true); // attempt 1: 500, retry queued
    await runNext(base); // attempt 2: 500, attempt 3 scheduled
    status = 410;
    await redeliver(1);
    await runNext(`${base}-r1`); // 410: gone

    await runNext(base, 1); // the original's attempt 3, due 5 minutes after attempt 2

    expect(got).toEqual([messageId, messageId, messageId]);
    expect(logged()).toEqual([
      [`${base}.1`, 'failed', false, 500],
      [`${base}.2`, 'failed', false, 500],
      [`${base}-r1.1`, 'gone', true, 410],
      [`${base}.3`, 'disabled', true, null],
    ]);
  });

  it('does not send the retry of a second redelivery once the first one got 410', async () => {
    await redeliver(1);
    await redeliver(2);
    await runNext(`${base}-r1`); // 500
    await runNext(`${base}-r2`); // 500
    status = 410;
    await runNext(`${base}-r1`, 1); // 410

    await runNext(`${base}-r2`, 1);

    expect(got).toHaveLength(3);
    expect(logged().at(-1)).toEqual([`${base}-r2.2`, 'disabled', true, null]);
  });

  it('sends a redelivery asked for after the 410: the receiver may be back', async () => {
    await redeliver(1);
    status = 410;
    await runNext(`${base}-r1`);
    status = 204;

    await redeliver(2);
    await runNext(`${base}-r2`);

    expect(got).toHaveLength(2);
    expect(logged().at(-1)).toEqual([`${base}-r2.1`, 'delivered', true, 204]);
  });

  it('keeps the 410 to its own target: the same message to a registered endpoint still goes out', async () => {
    await queue.add('webhook.deliver', delivery({ endpointId }), deliveryJobOptions(config, `${messageId}-ep-${endpointId}`, 0, 60_000));
    await redeliver(1);
    status = 410;
    await runNext(`${base}-r1`);
    status = 204;

    await runNext(`${messageId}-ep-${endpointId}`);

    expect(got).toHaveLength(2);
    expect(logged().at(-1)).toEqual([`${messageId}-ep-${endpointId}.1`, 'delivered', true, 204]);
  });

  it('does not send the scheduled retry of an endpoint disabled since (job-tracker turns it off on a 410 to any message)', async () => {
    const ep = delivery({ endpointId });
    await dispatcher.dispatch(ep, `${messageId}-ep-${endpointId}`, true); // 500, retry queued
    enabled = false;

    await runNext(`${messageId}-ep-${endpointId}`);

    expect(got).toHaveLength(1);
    expect(logged().at(-1)).toEqual([`${messageId}-ep-${endpointId}.2`, 'disabled', true, null]);
  });
});
