import type { NatsConnection } from 'nats';
import { subjects, WebhookAttempted } from '@jobdesk/contracts';
import { strictFake, webhookAttempted } from '@jobdesk/testing';
import { DeliveriesService } from './deliveries.service';
import { DeliveryLogConsumer } from './delivery-log.consumer';


function consumer(record: (e: WebhookAttempted) => Promise<void>) {
  return new DeliveryLogConsumer(strictFake<NatsConnection>('NatsConnection'), subjects('tracker_test'), strictFake<DeliveriesService>('DeliveriesService', { record }));
}

describe('DeliveryLogConsumer.handle', () => {
  it('records every attempt of a webhook.attempts batch, and a single webhook.attempted event as before', async () => {
    const recorded: string[] = [];
    const c = consumer(async (e) => void recorded.push(e.id));

    await c.handle({ id: 'b1', type: 'webhook.attempts', version: 1, occurredAt: new Date().toISOString(), correlationId: 'msg_x', data: { attempts: [webhookAttempted('a.1'), webhookAttempted('b.2')] } });
    await c.handle(webhookAttempted('c.1'));

    expect(recorded).toEqual(['a.1', 'b.2', 'c.1']);
  });

  it('fails the batch (so it is delivered again) when one attempt could not be stored, after the others were tried', async () => {
    const recorded: string[] = [];
    const c = consumer(async (e) => {
      if (e.id === 'a.1') throw new Error('database down');
      recorded.push(e.id);
    });

    await expect(c.handle({ id: 'b1', type: 'webhook.attempts', version: 1, occurredAt: new Date().toISOString(), correlationId: 'msg_x', data: { attempts: [webhookAttempted('a.1'), webhookAttempted('b.2')] } })).rejects.toThrow('database down');
    expect(recorded).toEqual(['b.2']);
  });
});
