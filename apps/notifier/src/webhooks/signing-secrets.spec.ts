import type { NatsConnection } from 'nats';
import { SigningSecretsReply, subjects } from '@jobdesk/contracts';
import { RpcClient, RpcFailure } from '@jobdesk/messaging';
import { strictFake } from '@jobdesk/testing';
import { SigningSecrets } from './signing-secrets';

const reply = { secrets: ['whsec_AAAA'], enabled: true } as unknown as SigningSecretsReply;

function secretsWith(answers: Array<() => Promise<SigningSecretsReply>>) {
  let calls = 0;
  const rpc = strictFake<RpcClient>('RpcClient', {
    request: (() => answers[Math.min(calls++, answers.length - 1)]()) as unknown as RpcClient['request'],
  });
  return { secrets: new SigningSecrets(rpc, subjects('notifier_test'), strictFake<NatsConnection>('NatsConnection')), calls: () => calls };
}

const unavailable = () => Promise.reject(new RpcFailure('service_unavailable', 'job-tracker unavailable: 503', 503));

describe('SigningSecrets', () => {
  it('asks job-tracker again while it does not answer (starting, restarting), instead of failing the delivery', async () => {
    const { secrets, calls } = secretsWith([unavailable, unavailable, async () => reply]);
    await expect(secrets.for({ tenant: 'acme' })).resolves.toBe(reply);
    expect(calls()).toBe(3);
  });

  it('gives up within a second, and does not cache the failure', async () => {
    const { secrets, calls } = secretsWith([unavailable]);
    const t0 = Date.now();
    await expect(secrets.for({ tenant: 'acme' })).rejects.toThrow('unavailable');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
    expect(Date.now() - t0).toBeLessThan(2_000);
    const before = calls();
    await secrets.for({ tenant: 'acme' }).catch(() => undefined);
    expect(calls()).toBeGreaterThan(before);
  });

  it('does not retry an answer that is a refusal', async () => {
    const { secrets, calls } = secretsWith([() => Promise.reject(new RpcFailure('not_found', 'no such endpoint', 404))]);
    await expect(secrets.for({ tenant: 'acme', endpointId: 'e1' })).rejects.toThrow('no such endpoint');
    expect(calls()).toBe(1);
  });

  it('shares one lookup between the deliveries of a burst', async () => {
    const { secrets, calls } = secretsWith([async () => reply]);
    await Promise.all([secrets.for({ tenant: 'acme' }), secrets.for({ tenant: 'acme' }), secrets.for({ tenant: 'acme' })]);
    expect(calls()).toBe(1);
  });
});
