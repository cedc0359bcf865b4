import { subjects, WEBHOOK_ATTEMPTS_PER_MESSAGE, WebhookAttempts } from '@jobdesk/contracts';
import { EventPublisher } from '@jobdesk/messaging';
import { webhookAttempted } from '@jobdesk/testing';
import { DELIVERY_LOG_LINGER_MS, DeliveryLogPublisher } from './delivery-log-publisher';

class ControlledPublisher extends EventPublisher {
  readonly started: Array<{ subject: string; event: WebhookAttempts; settle: (err?: Error) => void }> = [];
  publish(subject: string, event: { id: string }): Promise<void> {
    return new Promise((resolve, reject) => this.started.push({ subject, event: event as WebhookAttempts, settle: (err) => (err ? reject(err) : resolve()) }));
  }
  broadcast(): void {}
}

const s = subjects('notifier_test');
const linger = () => new Promise((r) => setTimeout(r, DELIVERY_LOG_LINGER_MS + 5));
const ids = (m: WebhookAttempts) => m.data.attempts.map((a) => a.id);

describe('DeliveryLogPublisher', () => {
  it('sends the attempts that end within DELIVERY_LOG_LINGER_MS as one valid webhook.attempts message, in order', async () => {
    const inner = new ControlledPublisher();
    const p = new DeliveryLogPublisher(inner, s);
    void p.publish(webhookAttempted('a.1'));
    await new Promise((r) => setImmediate(r));
    void p.publish(webhookAttempted('b.1'));
    expect(inner.started).toHaveLength(0);
    await linger();
    void p.publish(webhookAttempted('c.2'));
    await linger();

    expect(inner.started.map((x) => ids(x.event))).toEqual([['a.1', 'b.1'], ['c.2']]);
    expect(WebhookAttempts.safeParse(inner.started[0].event).success).toBe(true);
    expect(inner.started.every((x) => x.subject.startsWith(`${s.deliveryBatches(0).slice(0, -1)}`))).toBe(true);
    expect(inner.started[0].event.id).not.toBe(inner.started[1].event.id);
  });

  it('sends a full message at once, and what follows as another message on another subject', async () => {
    const inner = new ControlledPublisher();
    const p = new DeliveryLogPublisher(inner, s);
    for (let i = 0; i <= WEBHOOK_ATTEMPTS_PER_MESSAGE; i++) void p.publish(webhookAttempted(`e${i}.1`));
    expect(inner.started.map((x) => x.event.data.attempts.length)).toEqual([WEBHOOK_ATTEMPTS_PER_MESSAGE]);
    await linger();

    expect(inner.started.map((x) => x.event.data.attempts.length)).toEqual([WEBHOOK_ATTEMPTS_PER_MESSAGE, 1]);
    expect(inner.started[0].subject).not.toBe(inner.started[1].subject);
  });

  it('resolves each caller only once JetStream stored the message with its attempt, and rejects the callers of a message that failed', async () => {
    const inner = new ControlledPublisher();
    const p = new DeliveryLogPublisher(inner, s);
    const outcomes: string[] = [];
    const first = [p.publish(webhookAttempted('a.1')).then(() => outcomes.push('a stored'))];
    await linger();
    const second = [p.publish(webhookAttempted('b.1')).catch((e: Error) => outcomes.push(`b ${e.message}`)), p.publish(webhookAttempted('c.1')).catch((e: Error) => outcomes.push(`c ${e.message}`))];
    await linger();
    expect(outcomes).toEqual([]);

    inner.started[1].settle(new Error('timeout'));
    await Promise.all(second);
    expect(outcomes).toEqual(['b timeout', 'c timeout']);
    inner.started[0].settle();
    await Promise.all(first);
    expect(outcomes).toEqual(['b timeout', 'c timeout', 'a stored']);
  });

  it('rejects when the publish throws at once', async () => {
    const inner = new ControlledPublisher();
    inner.publish = () => {
      throw new Error('connection closed');
    };
    await expect(new DeliveryLogPublisher(inner, s).publish(webhookAttempted('a.1'))).rejects.toThrow('connection closed');
  });
});
