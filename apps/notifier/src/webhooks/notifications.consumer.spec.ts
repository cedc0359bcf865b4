import type { Queue } from 'bullmq';
import type { NatsConnection } from 'nats';
import { JobFinishedNotification, subjects, WebhookDelivery, WebhookPayload } from '@jobdesk/contracts';
import { parseConfig } from '@jobdesk/config';
import { strictFake } from '@jobdesk/testing';
import { NotificationsConsumer } from './notifications.consumer';

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
  let added: Array<{ name: string; data: WebhookDelivery; opts: { jobId?: string } }>;

  function consumer(env: Record<string, string> = {}) {
    added = [];
    const queue = strictFake<Queue>('Queue', {
      add: (async (name: string, data: WebhookDelivery, opts: { jobId?: string }) => {
        added.push({ name, data, opts });
        return {};
      }) as unknown as Queue['add'],
    });
    return new NotificationsConsumer(strictFake<NatsConnection>('NatsConnection'), subjects('notifier_test'), parseConfig(env), queue);
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
});
