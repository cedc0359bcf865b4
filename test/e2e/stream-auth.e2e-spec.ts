import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startStack, Stack } from '../support/stack';
import { json } from '../support/http';
import { readSse } from '../support/sse';

jest.setTimeout(120_000);

// The gateway's key cache (and so a stream's re-check) holds for 1 s here instead of 30 s.
const CACHE_MS = 1_000;
const KEYS_CLI = join(__dirname, '../../dist/apps/job-tracker/src/auth/keys.cli.js');

let stack: Stack;

function keys(...args: string[]): string {
  const r = spawnSync(process.execPath, [KEYS_CLI, ...args], { env: stack.env, encoding: 'utf8' });
  expect(r.status).toBe(0);
  return r.stdout.trim().split('\n').at(-1)!;
}
const auth = (key: string) => ({ authorization: `Bearer ${key}` });

beforeAll(async () => {
  stack = await startStack({ AUTH_REQUIRED: 'true', API_KEY_CACHE_MS: String(CACHE_MS) });
});
afterAll(() => stack?.stop());

describe('a live stream whose API key is revoked', () => {
  it('ends with an error event within the cache bound, while a stream with a valid key stays open', async () => {
    const doomed = keys('create', '--tenant', 'acme');
    const valid = keys('create', '--tenant', 'acme');
    // Runs far longer than the test: a stream that ends did not end because the job did.
    const res = await fetch(`${stack.baseUrl}/v1/jobs`, { method: 'POST', headers: { ...auth(valid), 'content-type': 'application/json' }, body: JSON.stringify({ type: 'noop', input: { ms: 60_000 } }) });
    expect(res.status).toBe(202);
    const { id } = await json(res);
    const url = `${stack.baseUrl}/v1/jobs/${id}/events`;

    let revokedAt = 0;
    const doomedStream = readSse(url, auth(doomed), {
      timeoutMs: 20_000,
      until: (e, all) => {
        if (all.length === 1) {
          revokedAt = Date.now();
          keys('revoke', doomed.split('_')[1]);
        }
        return e.event === 'error';
      },
    });
    const validStart = Date.now();
    const validStream = readSse(url, auth(valid), { timeoutMs: 8 * CACHE_MS });

    const ended = await doomedStream;
    const endedAfter = Date.now() - revokedAt;
    expect(ended.events.at(-1)).toMatchObject({ event: 'error', data: { status: 401, code: 'unauthorized' } });
    // The bound plain requests have (the cache's time), plus the RPC and some slack.
    expect(endedAfter).toBeLessThan(CACHE_MS + 1_500);
    // The other key's stream outlived several re-checks and was ended only by the reader's timeout.
    const kept = await validStream;
    expect(Date.now() - validStart).toBeGreaterThanOrEqual(8 * CACHE_MS - 50);
    expect(kept.events.map((e) => e.event)).not.toContain('error');
    expect(kept.events.length).toBeGreaterThan(0);
    expect((await fetch(`${stack.baseUrl}/v1/jobs/${id}`, { headers: auth(doomed) })).status).toBe(401);
  });
});
