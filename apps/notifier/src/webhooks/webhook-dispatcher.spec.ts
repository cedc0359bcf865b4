import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Queue } from 'bullmq';
import { SigningSecretsReply, subjects, WebhookAttempts, WebhookDelivery } from '@jobdesk/contracts';
import { parseConfig } from '@jobdesk/config';
import { RpcFailure } from '@jobdesk/messaging';
import { Metrics } from '@jobdesk/observability';
import { RecordingEventPublisher, strictFake } from '@jobdesk/testing';
import { DeliverWebhookHandler } from './deliver-webhook.handler';
import { SigningSecrets } from './signing-secrets';
import { GoneTargets } from './gone-targets';
import { FetchWebhookClient } from './webhook-sender';
import { DIRECT_MAX_WAIT_MS, DIRECT_PER_ORIGIN, WebhookDispatcher } from './webhook-dispatcher';
import { WEBHOOK_SCHEDULE_MS } from './retry-schedule';

const s = subjects('notifier_test');
const jobId = '0190a0a0-0000-7000-8000-0000000000c1';

/** A real local receiver; `answer` decides each request's fate (an unanswered one hangs until `close`). */
async function receiver(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const got: Array<{ headers: IncomingMessage['headers'] }> = [];
  const open = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      got.push({ headers: req.headers });
      open.add(res);
      res.on('close', () => open.delete(res));
      answer(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    got,
    /** Answers every request still hanging with `status`. */
    answerAll: (status: number) => [...open].forEach((res) => ((res.statusCode = status), res.end())),
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

type Added = { name: string; data: WebhookDelivery; opts: { jobId?: string; attempts?: number; delay?: number } };

function setup(opts: { env?: Record<string, string>; secrets?: () => Promise<SigningSecretsReply> } = {}) {
  const config = parseConfig({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', ...opts.env });
  const added: Added[] = [];
  const queue = strictFake<Queue>('Queue', {
    add: (async (name: string, data: WebhookDelivery, o: Added['opts']) => void added.push({ name, data, opts: o })) as unknown as Queue['add'],
  });
  const secrets = strictFake<SigningSecrets>('SigningSecrets', { for: opts.secrets ?? (async () => ({ secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], enabled: true })) });
  const events = new RecordingEventPublisher();
  const client = new FetchWebhookClient(config);
  const gone: string[] = [];
  const goneTargets = strictFake<GoneTargets>('GoneTargets', { mark: async (d: WebhookDelivery) => void gone.push(d.messageId) });
  const handler = new DeliverWebhookHandler(client, secrets, goneTargets, events, s, new Metrics('notifier_test'));
  const dispatcher = new WebhookDispatcher(handler, queue, config);
  const logged = () => events.published.flatMap((p) => (p.event as unknown as WebhookAttempts).data.attempts);
  return { dispatcher, added, logged, config, gone, close: () => client.onApplicationShutdown() };
}

const delivery = (url: string, messageId = 'msg_c1_completed_1'): WebhookDelivery => ({ messageId, tenant: 'acme', jobId, url, body: '{"type":"job.completed"}' });

describe('WebhookDispatcher: the first attempt from the fan-out', () => {
  let r: Awaited<ReturnType<typeof receiver>>;
  let t: ReturnType<typeof setup>;
  afterEach(async () => {
    await t?.close();
    await r?.close();
  });

  it('sends it at once, logs it as attempt 1 (final) and queues nothing when the receiver takes it', async () => {
    r = await receiver((_req, res) => ((res.statusCode = 204), res.end()));
    t = setup();

    await t.dispatcher.dispatch(delivery(r.url), 'msg_c1_completed_1-webhook', true);

    expect(r.got.map((g) => g.headers['webhook-id'])).toEqual(['msg_c1_completed_1']);
    expect(t.logged().map((e) => [e.id, e.data.attempt, e.data.outcome, e.data.final, e.data.statusCode])).toEqual([['msg_c1_completed_1-webhook.1', 1, 'delivered', true, 204]]);
    expect(t.added).toEqual([]);
  });

  it('queues one retry, numbered from attempt 2 and delayed by the first step of the schedule, after a retryable failure', async () => {
    r = await receiver((_req, res) => ((res.statusCode = 503), res.end()));
    t = setup();

    await t.dispatcher.dispatch(delivery(r.url), 'msg_c1_completed_1-webhook-r2', true);

    expect(t.logged().map((e) => [e.data.attempt, e.data.outcome, e.data.final])).toEqual([[1, 'failed', false]]);
    expect(t.added).toHaveLength(1);
    const [{ name, data, opts }] = t.added;
    expect([name, opts.jobId, data.attemptsBefore, opts.attempts]).toEqual(['webhook.deliver', 'msg_c1_completed_1-webhook-r2', 1, t.config.WEBHOOK_ATTEMPTS - 1]);
    expect(opts.delay).toBeGreaterThanOrEqual(WEBHOOK_SCHEDULE_MS[0] * 0.9);
    expect(opts.delay).toBeLessThanOrEqual(WEBHOOK_SCHEDULE_MS[0] * 1.1);
  });

  it('queues nothing after a final failure (410 Gone), logs it as final and remembers the 410 for the message\'s other sends', async () => {
    r = await receiver((_req, res) => ((res.statusCode = 410), res.end()));
    t = setup();

    await t.dispatcher.dispatch(delivery(r.url), 'q', true);

    expect(t.logged().map((e) => [e.data.outcome, e.data.final])).toEqual([['gone', true]]);
    expect(t.added).toEqual([]);
    expect(t.gone).toEqual(['msg_c1_completed_1']);
  });

  it('queues nothing when WEBHOOK_ATTEMPTS is 1: the failed first attempt was the last', async () => {
    r = await receiver((_req, res) => ((res.statusCode = 500), res.end()));
    t = setup({ env: { WEBHOOK_ATTEMPTS: '1' } });

    await t.dispatcher.dispatch(delivery(r.url), 'q', true);

    expect(t.logged().map((e) => [e.data.outcome, e.data.final])).toEqual([['failed', true]]);
    expect(t.added).toEqual([]);
  });

  it('sends nothing to a disabled endpoint, logs that as final and queues nothing', async () => {
    r = await receiver((_req, res) => ((res.statusCode = 204), res.end()));
    t = setup({ secrets: async () => ({ secrets: [], enabled: false }) });

    await t.dispatcher.dispatch(delivery(r.url), 'q', true);

    expect(r.got).toEqual([]);
    expect(t.logged().map((e) => [e.data.outcome, e.data.final])).toEqual([['disabled', true]]);
    expect(t.added).toEqual([]);
  });

  it('queues the whole delivery (attempt 1 still to come, no delay) when job-tracker does not answer for the secrets', async () => {
    r = await receiver((_req, res) => ((res.statusCode = 204), res.end()));
    t = setup({ secrets: () => Promise.reject(new RpcFailure('service_unavailable', 'job-tracker unavailable', 503)) });

    await t.dispatcher.dispatch(delivery(r.url), 'q', true);

    expect(r.got).toEqual([]);
    expect(t.logged()).toEqual([]);
    expect(t.added.map((a) => [a.opts.jobId, a.data.attemptsBefore, a.opts.attempts, a.opts.delay])).toEqual([['q', undefined, t.config.WEBHOOK_ATTEMPTS, undefined]]);
  });

  it('queues, without sending, a delivery it is told not to send directly', async () => {
    r = await receiver((_req, res) => ((res.statusCode = 204), res.end()));
    t = setup();

    await t.dispatcher.dispatch(delivery(r.url), 'q', false);

    expect(r.got).toEqual([]);
    expect(t.added.map((a) => a.opts.jobId)).toEqual(['q']);
  });

  it('holds at most DIRECT_PER_ORIGIN sends to a hanging receiver; the next is queued and other origins go on', async () => {
    r = await receiver(() => undefined);
    const other = await receiver((_req, res) => ((res.statusCode = 204), res.end()));
    t = setup();
    try {
      const hanging = Array.from({ length: DIRECT_PER_ORIGIN }, (_, i) => t.dispatcher.dispatch(delivery(r.url), `hang-${i}`, true));
      while (r.got.length < DIRECT_PER_ORIGIN) await new Promise((res) => setTimeout(res, 5));

      const started = Date.now();
      await t.dispatcher.dispatch(delivery(r.url), 'beyond', true);
      const waited = Date.now() - started;
      await t.dispatcher.dispatch(delivery(other.url), 'elsewhere', true);

      expect(t.added.map((a) => [a.opts.jobId, a.data.attemptsBefore])).toEqual([['beyond', undefined]]);
      expect(waited).toBeLessThan(DIRECT_MAX_WAIT_MS * 2 + 500);
      expect(r.got).toHaveLength(DIRECT_PER_ORIGIN);
      expect(other.got).toHaveLength(1);

      r.answerAll(200);
      await Promise.all(hanging);
      expect(t.logged().filter((e) => e.data.outcome === 'delivered')).toHaveLength(DIRECT_PER_ORIGIN + 1);
    } finally {
      await other.close();
    }
  });

  it('queues the next deliveries to an origin that did not answer a direct attempt, without trying it again', async () => {
    r = await receiver((_req, res) => ((res.statusCode = 204), res.end()));
    const url = r.url;
    await r.close(); // nothing listens there any more: connection refused
    t = setup();

    await t.dispatcher.dispatch(delivery(url), 'first', true);
    await t.dispatcher.dispatch(delivery(url), 'second', true);

    expect(t.logged().map((e) => [e.id, e.data.outcome, e.data.statusCode])).toEqual([['first.1', 'failed', null]]);
    expect(t.added.map((a) => [a.opts.jobId, a.data.attemptsBefore])).toEqual([['first', 1], ['second', undefined]]);
  });

  it('goes on sending directly to an origin that answers, even with errors', async () => {
    r = await receiver((_req, res) => ((res.statusCode = 502), res.end()));
    t = setup();

    await t.dispatcher.dispatch(delivery(r.url), 'first', true);
    await t.dispatcher.dispatch(delivery(r.url), 'second', true);

    expect(r.got).toHaveLength(2);
    expect(t.added.map((a) => [a.opts.jobId, a.data.attemptsBefore])).toEqual([['first', 1], ['second', 1]]);
  });
});
