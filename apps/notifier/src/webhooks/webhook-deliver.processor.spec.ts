import type { Job, Queue } from 'bullmq';
import { WebhookDelivery } from '@jobdesk/contracts';
import { strictFake } from '@jobdesk/testing';
import { AttemptRef, DeliverWebhookHandler } from './deliver-webhook.handler';
import { webhookBackoff, WebhookDeliverProcessor } from './webhook-deliver.processor';
import { WEBHOOK_SCHEDULE_MS } from './retry-schedule';

const data: WebhookDelivery = { messageId: 'msg_x', tenant: 'acme', jobId: '0190a0a0-0000-7000-8000-0000000000d1', url: 'https://hooks.example.com/h', body: '{}' };

function run(job: { data: WebhookDelivery; attemptsMade: number; attempts: number }) {
  const refs: AttemptRef[] = [];
  const handler = strictFake<DeliverWebhookHandler>('DeliverWebhookHandler', {
    attempt: async (_d: WebhookDelivery, ref: AttemptRef) => {
      refs.push(ref);
      return { ok: true, final: false, status: 204, ms: 1, outcome: 'delivered' as const, retry: false };
    },
  });
  const processor = new WebhookDeliverProcessor(handler, strictFake<Queue>('Queue'));
  const bullJob = { id: 'q-r1', data: job.data, attemptsMade: job.attemptsMade, opts: { attempts: job.attempts } } as unknown as Job;
  return processor.process(bullJob).then(() => refs);
}

describe('WebhookDeliverProcessor', () => {
  it('numbers a queued retry after the fan-out\'s direct attempt: its first run is attempt 2', async () => {
    expect(await run({ data: { ...data, attemptsBefore: 1 }, attemptsMade: 0, attempts: 7 })).toEqual([{ queueId: 'q-r1', attempt: 2, of: 8 }]);
  });

  it('reaches the last of all WEBHOOK_ATTEMPTS on the queue job\'s last run', async () => {
    expect(await run({ data: { ...data, attemptsBefore: 1 }, attemptsMade: 6, attempts: 7 })).toEqual([{ queueId: 'q-r1', attempt: 8, of: 8 }]);
  });

  it('numbers a delivery queued whole (no direct attempt) from 1, as before', async () => {
    expect(await run({ data, attemptsMade: 0, attempts: 8 })).toEqual([{ queueId: 'q-r1', attempt: 1, of: 8 }]);
  });

  it('spaces attempt 2 → 3 by the schedule\'s second step when attempt 1 was direct', () => {
    const delay = webhookBackoff(1, { data: { ...data, attemptsBefore: 1 } } as never, 1);

    expect(delay).toBeGreaterThanOrEqual(WEBHOOK_SCHEDULE_MS[1] * 0.9);
    expect(delay).toBeLessThanOrEqual(WEBHOOK_SCHEDULE_MS[1] * 1.1);
  });
});
