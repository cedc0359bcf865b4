import type { NatsConnection } from 'nats';
import { CreateJobRequest, JobFinishedNotification, subjects, WebhookDelivery, WebhookPayload } from '@jobdesk/contracts';
import { RpcClient } from '@jobdesk/messaging';
import { parseConfig } from '@jobdesk/config';
import { strictFake } from '@jobdesk/testing';
import { NotificationsConsumer } from './notifications.consumer';
import { WebhookDispatcher } from './webhook-dispatcher';

const jobId = '0190a0a0-0000-7000-8000-0000000000b7';

function notification(over: Partial<JobFinishedNotification['data']> = {}): JobFinishedNotification {
  return JobFinishedNotification.parse({
    id: `${jobId}.finished`,
    type: 'job.finished',
    version: 1,
    occurredAt: new Date().toISOString(),
    correlationId: 'c',
    data: {
      jobId,
      tenant: 'acme',
      type: 'resume.parse',
      status: 'completed',
      error: null,
      result: { key: `results/${jobId}.json`, contentType: 'application/json', size: 10 },
      finishedAt: '2026-12-03T10:00:00.000Z',
      notify: { webhook: 'https://hooks.example.com/jobdesk' },
      ...over,
    },
  });
}

describe('NotificationsConsumer.fanOut', () => {
  /** What the fan-out handed to the dispatcher: the delivery, its queue id, whether it may be sent directly. */
  let added: Array<{ data: WebhookDelivery; opts: { jobId: string }; direct: boolean }>;
  let created: Array<{ subject: string; payload: CreateJobRequest }>;

  function consumer(env: Record<string, string> = {}) {
    added = [];
    const dispatcher = strictFake<WebhookDispatcher>('WebhookDispatcher', {
      dispatch: async (data: WebhookDelivery, jobId: string, direct: boolean) => void added.push({ data, opts: { jobId }, direct }),
    });
    created = [];
    const rpc = strictFake<RpcClient>('RpcClient', {
      request: (async (subject: string, payload: CreateJobRequest) => {
        created.push({ subject, payload });
        return { job: {}, replayed: false };
      }) as unknown as RpcClient['request'],
    });
    return new NotificationsConsumer(strictFake<NatsConnection>('NatsConnection'), subjects('notifier_test'), parseConfig(env), dispatcher, rpc);
  }
  const body = (i = 0) => JSON.parse(added[i].data.body) as WebhookPayload;

  it('queues one delivery to the webhook for a job with a webhook target', async () => {
    const n = notification();

    await consumer().fanOut(n);

    expect(added).toHaveLength(1);
    expect(added[0].data).toMatchObject({ url: n.data.notify.webhook, tenant: n.data.tenant, jobId });
  });

  it('gives a repeated notification the same webhook id and queue job id', async () => {
    const c = consumer();

    await c.fanOut(notification());
    await c.fanOut({ ...notification(), occurredAt: new Date(Date.now() + 60_000).toISOString() });

    expect(added[1].data.messageId).toBe(added[0].data.messageId);
    expect(added[1].opts.jobId).toBe(added[0].opts.jobId);
  });

  it('gives different jobs different webhook ids', async () => {
    const c = consumer();

    await c.fanOut(notification());
    await c.fanOut(notification({ jobId: '0190a0a0-0000-7000-8000-0000000000b8' }));

    expect(added[1].data.messageId).not.toBe(added[0].data.messageId);
  });

  it('links a completed job\'s result absolutely, from PUBLIC_BASE_URL', async () => {
    const base = 'https://jobs.example.com';

    await consumer({ PUBLIC_BASE_URL: base }).fanOut(notification());

    expect(body().data.result_url).toBe(`${base}/v1/jobs/${jobId}/result`);
  });

  it.each(['https://example.com/jobdesk', 'https://example.com/jobdesk/'])('keeps the path prefix of PUBLIC_BASE_URL %s', async (base) => {
    await consumer({ PUBLIC_BASE_URL: base }).fanOut(notification());

    expect(body().data.result_url).toBe(`https://example.com/jobdesk/v1/jobs/${jobId}/result`);
  });

  it('sends a failed job\'s error and no result link', async () => {
    const error = { code: 'corrupt_input', message: 'not a PDF' };

    await consumer().fanOut(notification({ status: 'failed', error, result: null }));

    expect(body()).toMatchObject({ type: 'job.failed', data: { status: 'failed', error, result_url: null } });
  });

  it('queues nothing for a notification without a webhook target', async () => {
    await consumer().fanOut(notification({ notify: {} }));

    expect(added).toEqual([]);
  });

  it('turns email and sms targets into jobs of their own, keyed by the notification', async () => {
    const n = notification({ notify: { email: 'ada@example.com', sms: '+14155550123' } as never });

    await consumer().fanOut(n);

    expect(added).toEqual([]);
    const byType = Object.fromEntries(created.map((c) => [c.payload.type, c.payload]));
    expect(byType['email.send']).toMatchObject({ tenant: n.data.tenant, input: { kind: 'json', data: { to: 'ada@example.com', template: 'job-finished' } } });
    expect(byType['sms.send']).toMatchObject({ input: { kind: 'json', data: { to: '+14155550123' } } });
    expect(byType['email.send'].idempotency?.key).toBe(`notify:${n.id}:email.send`);
  });

  it('does not send email or sms again on a manual webhook redelivery', async () => {
    await consumer().fanOut(notification({ notify: { webhook: 'https://example.com/h', email: 'ada@example.com' } as never, redelivery: 1 }));
    expect(created).toEqual([]);
    expect(added).toHaveLength(1);
    expect(added[0].opts.jobId).toMatch(/-r1$/);
  });

  it("queues one delivery per registered endpoint besides the job's own webhook: same webhook-id and bytes, its own queue id", async () => {
    const endpoints = [
      { id: '0190a0a0-0000-7000-8000-00000000e001', url: 'https://a.example.com/hook' },
      { id: '0190a0a0-0000-7000-8000-00000000e002', url: 'https://b.example.com/hook' },
    ];

    await consumer().fanOut(notification({ endpoints }));

    expect(added.map((a) => [a.data.url, a.data.endpointId])).toEqual([
      ['https://hooks.example.com/jobdesk', undefined],
      [endpoints[0].url, endpoints[0].id],
      [endpoints[1].url, endpoints[1].id],
    ]);
    expect(new Set(added.map((a) => a.data.messageId)).size).toBe(1);
    expect(new Set(added.map((a) => a.data.body)).size).toBe(1);
    expect(new Set(added.map((a) => a.opts.jobId)).size).toBe(3);
  });

  it('lets first attempts go out directly, except for a notification JetStream redelivers or the reconciler re-announces', async () => {
    const c = consumer();

    await c.fanOut(notification());
    await c.fanOut(notification(), { redelivered: true });
    await c.fanOut(notification({ reannounced: true }));

    expect(added.map((a) => a.direct)).toEqual([true, false, false]);
  });

  it('delivers to endpoints when the job itself named no webhook', async () => {
    await consumer().fanOut(notification({ notify: {}, endpoints: [{ id: '0190a0a0-0000-7000-8000-00000000e003', url: 'https://c.example.com/hook' }] }));

    expect(added).toHaveLength(1);
    expect(added[0].data).toMatchObject({ url: 'https://c.example.com/hook', endpointId: '0190a0a0-0000-7000-8000-00000000e003' });
  });
});
