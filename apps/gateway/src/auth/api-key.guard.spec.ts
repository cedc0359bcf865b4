import { parseConfig } from '@jobdesk/config';
import { Principal, Subjects } from '@jobdesk/contracts';
import { RpcClient, RpcFailure } from '@jobdesk/messaging';
import { ApiKeyGuard, AuthedRequest } from './api-key.guard';
import { RateLimiter } from './rate-limiter';

const KEY = 'jdk_abcdefghijkl_secret';

/** A guard whose job-tracker answers from `answers`, one per call (a function throws). */
function guardWith(answers: Array<Principal | (() => never)>, env: Record<string, string> = {}) {
  const calls: unknown[] = [];
  const rpc = {
    request: async (_subject: string, body: unknown) => {
      calls.push(body);
      const a = answers.shift();
      if (!a) throw new Error('unexpected RPC');
      return typeof a === 'function' ? a() : a;
    },
  } as unknown as RpcClient;
  const limiter = { take: async () => undefined } as unknown as RateLimiter;
  const s = { trackerAuthenticate: 'tracker.authenticate' } as unknown as Subjects;
  const guard = new ApiKeyGuard(rpc, limiter, s, parseConfig({ API_KEY_CACHE_MS: '1000', ...env }));
  return { guard, calls };
}
const req = (key: string, tenant: string, extra: Record<string, string> = {}) => ({ headers: { authorization: `Bearer ${key}`, ...extra }, tenant }) as unknown as AuthedRequest;
const revoked = () => {
  throw new RpcFailure('unauthorized', 'the API key is not valid', 401);
};

describe('ApiKeyGuard.recheck', () => {
  afterEach(() => jest.restoreAllMocks());

  it('answers from the cache until it expires, then asks again and throws when the key is refused', async () => {
    const { guard, calls } = guardWith([{ keyId: 'k1', tenant: 'acme', admin: false }, revoked]);
    const until = await guard.recheck(req(KEY, 'acme'));
    expect(until).toBeGreaterThan(Date.now());
    expect(await guard.recheck(req(KEY, 'acme'))).toBe(until);
    expect(calls).toHaveLength(1);
    jest.spyOn(Date, 'now').mockReturnValue(until);
    await expect(guard.recheck(req(KEY, 'acme'))).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    expect(calls).toHaveLength(2);
  });

  it('refuses a key that now belongs to another tenant', async () => {
    const { guard } = guardWith([{ keyId: 'k1', tenant: 'globex', admin: false }]);
    await expect(guard.recheck(req(KEY, 'acme'))).rejects.toMatchObject({ status: 403 });
  });

  it('never needs to look again at operator keys, nor with AUTH_REQUIRED=false', async () => {
    const operator = guardWith([], { API_KEYS: 'acme:operator-set-key-0123456789' });
    expect(await operator.guard.recheck(req('operator-set-key-0123456789', 'acme'))).toBe(Infinity);
    const off = guardWith([], { AUTH_REQUIRED: 'false' });
    expect(await off.guard.recheck(req('', 'default'))).toBe(Infinity);
    expect([...operator.calls, ...off.calls]).toHaveLength(0);
  });
});
