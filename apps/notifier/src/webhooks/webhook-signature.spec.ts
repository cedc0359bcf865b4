import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { signWebhook, webhookHeaders } from './webhook-signature';

describe('Standard Webhooks signature', () => {
  // The example from the Standard Webhooks specification's reference tests.
  it('matches the specification example', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
    const ts = 1614265330;
    const body = '{"test": 2432232314}';
    expect(signWebhook(secret, id, ts, body)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('signs exactly the bytes sent, with the current timestamp', () => {
    const secret = 'whsec_' + Buffer.from('k').toString('base64');
    const h = webhookHeaders(secret, 'msg_1', '{"a":1}', 1_700_000_000_123);
    expect(h['webhook-timestamp']).toBe('1700000000');
    const expected = createHmac('sha256', Buffer.from('k')).update('msg_1.1700000000.{"a":1}').digest('base64');
    expect(h['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('sends one signature per secret during a rotation, each verifiable on its own', () => {
    const [oldKey, newKey, otherKey] = ['old-key', 'new-key', 'other'].map((k) => 'whsec_' + Buffer.from(k).toString('base64'));
    const fixed = webhookHeaders([newKey, oldKey], 'msg_2', '{"b":2}', 1_700_000_000_000);
    expect(fixed['webhook-signature'].split(' ')).toEqual([signWebhook(newKey, 'msg_2', 1_700_000_000, '{"b":2}'), signWebhook(oldKey, 'msg_2', 1_700_000_000, '{"b":2}')]);
    // A receiver that has either secret accepts the send; one with neither does not.
    const h = webhookHeaders([newKey, oldKey], 'msg_2', '{"b":2}');
    for (const secret of [oldKey, newKey]) expect(new Webhook(secret).verify('{"b":2}', h)).toEqual({ b: 2 });
    expect(() => new Webhook(otherKey).verify('{"b":2}', h)).toThrow();
  });
});
