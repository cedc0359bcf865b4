import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { JANE_TXT } from '@jobdesk/testing';
import { startStack, Stack } from '../support/stack';
import { json, until } from '../support/http';
import { readSse } from '../support/sse';

jest.setTimeout(120_000);

let stack: Stack;
let acme: string;
let globex: string;

/** `npm run keys -- create`: the key is alone on the last line of stdout. */
function createKey(tenant: string, extra: string[] = []): string {
  const r = spawnSync(process.execPath, [join(__dirname, '../../dist/apps/job-tracker/src/auth/keys.cli.js'), 'create', '--tenant', tenant, ...extra], { env: stack.env, encoding: 'utf8' });
  expect(r.status).toBe(0);
  return r.stdout.trim().split('\n').at(-1)!;
}

const auth = (key: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${key}`, ...extra });
const later = () => new Date(Date.now() + 3_600_000).toISOString();
const emailJob = (extra: Record<string, unknown> = {}) => ({ type: 'email.send', input: { to: 'x@example.com', subject: 's', text: 't' }, run_at: later(), ...extra });

async function post(key: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${stack.baseUrl}/v1/jobs`, { method: 'POST', headers: { ...auth(key), 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

beforeAll(async () => {
  stack = await startStack({ AUTH_REQUIRED: 'true', RATE_LIMIT_PER_SECOND: '100', SMTP_URL: 'smtp://127.0.0.1:9', API_KEYS: 'acme:operator-set-key-0123456789' });
  acme = createKey('acme');
  globex = createKey('globex');
});
afterAll(() => stack?.stop());

describe('API keys', () => {
  it('prints a key that works, and refuses requests without or with a wrong key', async () => {
    expect(acme).toMatch(/^jdk_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    const none = await fetch(`${stack.baseUrl}/v1/jobs`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await json(none)).code).toBe('unauthorized');
    const wrong = await fetch(`${stack.baseUrl}/v1/jobs`, { headers: auth(acme.slice(0, -4) + 'AAAA') });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${stack.baseUrl}/v1/jobs`, { headers: auth(acme) })).status).toBe(200);
  });

  it('stops accepting a revoked key', async () => {
    const key = createKey('acme');
    const id = key.split('_')[1];
    const r = spawnSync(process.execPath, [join(__dirname, '../../dist/apps/job-tracker/src/auth/keys.cli.js'), 'revoke', id], { env: stack.env, encoding: 'utf8' });
    expect(r.status).toBe(0);
    // Never used before revocation, so no gateway cache holds it.
    expect((await fetch(`${stack.baseUrl}/v1/jobs`, { headers: auth(key) })).status).toBe(401);
  });

  it('accepts operator keys from API_KEYS for their tenant', async () => {
    const { id } = await json(await post(acme, emailJob()));
    const viaOperatorKey = await fetch(`${stack.baseUrl}/v1/jobs/${id}`, { headers: auth('operator-set-key-0123456789') });
    expect(viaOperatorKey.status).toBe(200);
    expect((await fetch(`${stack.baseUrl}/v1/jobs/${id}`, { headers: auth(globex) })).status).toBe(404);
    expect((await fetch(`${stack.baseUrl}/v1/jobs`, { headers: auth('operator-set-key-01234567') })).status).toBe(401);
  });

  it('lets only admin keys act for another tenant', async () => {
    const admin = createKey('ops', ['--admin']);
    const { id } = await json(await post(acme, emailJob()));
    expect((await fetch(`${stack.baseUrl}/v1/jobs/${id}`, { headers: auth(admin, { 'x-jobdesk-tenant': 'acme' }) })).status).toBe(200);
    const denied = await fetch(`${stack.baseUrl}/v1/jobs/${id}`, { headers: auth(globex, { 'x-jobdesk-tenant': 'acme' }) });
    expect(denied.status).toBe(403);
  });
});

describe('X-Jobdesk-Tenant', () => {
  it('refuses a tenant name that keys create would refuse, also for listings', async () => {
    const admin = createKey('ops-names', ['--admin']);
    for (const tenant of ['../x', '>', '*', 'a.b', 'a b', 'A', 'x'.repeat(500), 'caf\u00e9']) {
      // fetch sends header values as bytes: a non-ASCII name arrives as its Latin-1 characters.
      const headers = auth(admin, { 'x-jobdesk-tenant': Buffer.from(tenant).toString('latin1') });
      const submit = await post(admin, emailJob(), headers);
      expect([tenant, submit.status, submit.headers.get('content-type'), (await json(submit)).detail]).toEqual([tenant, 400, expect.stringContaining('application/problem+json'), expect.stringContaining('lower-case letters, digits, - and _')]);
      const list = await fetch(`${stack.baseUrl}/v1/jobs`, { headers });
      expect([tenant, list.status]).toEqual([tenant, 400]);
    }
    expect((await post(admin, emailJob(), auth(admin, { 'x-jobdesk-tenant': 'acme_2-b' }))).status).toBe(202);
  });
});

describe('input PostgreSQL cannot store', () => {
  const lone = '\ud800';
  it('refuses lone UTF-16 surrogates in JSON strings and keys with 422, never 503', async () => {
    const bodies = [
      { type: 'noop', input: { ms: 1 }, metadata: { a: lone } },
      { type: 'noop', input: { ms: 1 }, metadata: { [lone]: 'a' } },
      emailJob({ input: { to: 'x@example.com', subject: `hi ${lone}`, text: 't' } }),
      { type: 'sms.send', input: { to: '+14155550123', body: lone } },
      { type: 'sms.confirm-request', input: { to: '+14155550123', question: `ok? ${lone}` } },
    ];
    for (const body of bodies) {
      const res = await post(acme, body, { 'idempotency-key': `lone-${Math.random()}` });
      const p = await json(res);
      expect([res.status, p.code, p.detail]).toEqual([422, 'validation_failed', expect.stringContaining('surrogate')]);
    }
    const config = await fetch(`${stack.baseUrl}/v1/sms/config`, { method: 'PUT', headers: auth(acme, { 'content-type': 'application/json' }), body: JSON.stringify({ rules: [], help_text: `help ${lone}` }) });
    expect(config.status).toBe(422);
  });

  it('refuses them in the JSON of form fields too', async () => {
    for (const [field, value] of [['metadata', '{"a":"\\ud800"}'], ['notify', '{"email":"a@example.com","x":"\\udc00"}']]) {
      const form = new FormData();
      form.append('type', 'resume.parse');
      form.append(field, value);
      form.append('file', new Blob([JANE_TXT]), 'cv.txt');
      const res = await fetch(`${stack.baseUrl}/v1/jobs`, { method: 'POST', headers: auth(acme), body: form });
      const p = await json(res);
      expect([res.status, p.errors]).toEqual([422, [{ field, message: expect.stringContaining('surrogate') }]]);
    }
  });
});

describe('receivers with private addresses (no WEBHOOK_ALLOWED_HOSTS here)', () => {
  // Each would be refused by the notifier at every delivery; a host name is checked only then.
  const PRIVATE = { 'http://169.254.169.254/latest/meta-data/': '169.254.169.254', 'http://127.0.0.1:9/': '127.0.0.1', 'http://[::1]/': '::1', 'http://localhost/': 'localhost', 'http://10.1.2.3/': '10.1.2.3' };
  const refused = (field: string, host: string) => [422, 'validation_failed', [{ field, message: `${host} is not a public address; WEBHOOK_ALLOWED_HOSTS lets private receivers through` }]];
  const outcome = async (res: Response) => {
    const p = await json(res);
    return res.status === 422 ? [422, p.code, p.errors] : [res.status];
  };
  let key: string;
  beforeAll(() => (key = createKey('private-receivers')));
  const upload = (fields: Record<string, string>) => {
    const form = new FormData();
    form.append('type', 'resume.parse');
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', new Blob([JANE_TXT]), 'cv.txt');
    return fetch(`${stack.baseUrl}/v1/jobs`, { method: 'POST', headers: auth(key), body: form });
  };
  const send = (method: string, path: string, body: unknown) => fetch(`${stack.baseUrl}${path}`, { method, headers: auth(key, { 'content-type': 'application/json' }), body: JSON.stringify(body) });

  it('refuses a literal private address or localhost as a job webhook with 422, JSON and multipart, and makes no job', async () => {
    for (const [url, host] of Object.entries(PRIVATE)) {
      expect([url, await outcome(await post(key, emailJob({ notify: { webhook: url } })))]).toEqual([url, refused('notify.webhook', host)]);
      expect([url, await outcome(await upload({ callback_url: url }))]).toEqual([url, refused('callback_url', host)]);
      expect([url, await outcome(await upload({ notify: JSON.stringify({ webhook: url, email: 'a@example.com' }) }))]).toEqual([url, refused('notify.webhook', host)]);
    }
    expect((await json(await fetch(`${stack.baseUrl}/v1/jobs`, { headers: auth(key) }))).data).toEqual([]);
    // A host name is accepted (no DNS lookup at submit), public addresses and names that merely contain "localhost" too.
    for (const url of ['https://hooks.example.com/jobdesk', 'http://93.184.216.34/h', 'https://localhost.example.com/h']) {
      expect([url, (await post(key, emailJob({ notify: { webhook: url } }))).status]).toEqual([url, 202]);
    }
    expect((await upload({ callback_url: 'https://hooks.example.com/jobdesk' })).status).toBe(202);
  });

  it('refuses them as a registered endpoint with 422, on create and on change', async () => {
    for (const [url, host] of Object.entries(PRIVATE)) {
      expect([url, await outcome(await send('POST', '/v1/webhooks/endpoints', { url }))]).toEqual([url, refused('url', host)]);
    }
    const created = await send('POST', '/v1/webhooks/endpoints', { url: 'https://hooks.example.com/ep' });
    expect(created.status).toBe(201);
    const ep = await json(created);
    expect(await outcome(await send('PATCH', `/v1/webhooks/endpoints/${ep.id}`, { url: 'http://169.254.169.254/' }))).toEqual(refused('url', '169.254.169.254'));
    const list = await json(await fetch(`${stack.baseUrl}/v1/webhooks/endpoints`, { headers: auth(key) }));
    expect(list.data.map((e: { url: string; enabled: boolean }) => [e.url, e.enabled])).toEqual([['https://hooks.example.com/ep', true]]);
  });

  it("refuses them as the SMS configuration's on-call webhook and order lookup with 422", async () => {
    const escalate = (webhook: string) => ({ rules: [{ action: 'support' }, { action: 'escalate', words: ['emergency'], oncall: { webhook } }] });
    const track = (url: string) => ({ rules: [{ action: 'track', url }] });
    expect(await outcome(await send('PUT', '/v1/sms/config', escalate('http://169.254.169.254/')))).toEqual(refused('rules.1.oncall.webhook', '169.254.169.254'));
    expect(await outcome(await send('PUT', '/v1/sms/config', track('http://localhost:8080/orders/{order}')))).toEqual(refused('rules.0.url', 'localhost'));
    expect((await send('PUT', '/v1/sms/config', escalate('https://hooks.example.com/oncall'))).status).toBe(200);
  });
});

describe('job ids in paths', () => {
  it('accepts an upper-case UUID on every route that takes one', async () => {
    const { id } = await json(await post(acme, emailJob()));
    const ID = id.toUpperCase();
    expect(await json(await fetch(`${stack.baseUrl}/v1/jobs/${ID}`, { headers: auth(acme) }))).toMatchObject({ id });
    expect((await fetch(`${stack.baseUrl}/job/${ID}`, { headers: auth(acme) })).status).toBe(200);
    expect((await fetch(`${stack.baseUrl}/v1/jobs/${ID}/result`, { headers: auth(acme) })).status).toBe(409);
    expect((await fetch(`${stack.baseUrl}/v1/jobs/${ID}/transitions`, { headers: auth(acme) })).status).toBe(200);
    expect((await fetch(`${stack.baseUrl}/v1/jobs/${ID}/deliveries`, { headers: auth(acme) })).status).toBe(200);
    const events = await fetch(`${stack.baseUrl}/v1/jobs/${ID}/events`, { headers: auth(acme) });
    expect(events.status).toBe(200);
    await events.body?.cancel();
    expect(await json(await fetch(`${stack.baseUrl}/v1/jobs/${ID}`, { method: 'DELETE', headers: auth(acme) }))).toMatchObject({ id, status: 'canceled' });
    expect((await fetch(`${stack.baseUrl}/v1/jobs/${ID}/retry`, { method: 'POST', headers: auth(acme) })).status).toBe(202);
  });
});

describe('npm run keys -- retention', () => {
  const retention = (days: string) => spawnSync(process.execPath, [join(__dirname, '../../dist/apps/job-tracker/src/auth/keys.cli.js'), 'retention', '--tenant', 'acme', '--days', days], { env: stack.env, encoding: 'utf8' });
  it('takes whole days from 1 to 36500 and says what is wrong with others', () => {
    for (const days of ['1e9', '-1', '0', '1.5', 'soon', '36501']) {
      const r = retention(days);
      expect([days, r.status, r.stderr]).toEqual([days, 2, expect.stringContaining('--days must be a whole number of days from 1 to 36500')]);
    }
    const ok = retention('36500');
    expect([ok.status, ok.stdout]).toEqual([0, expect.stringContaining('36500 day(s)')]);
  });
});

describe('tenant isolation', () => {
  it("answers 404 with no data for every route on another tenant's job", async () => {
    const { id } = await json(await post(acme, emailJob({ metadata: { secret: 'acme-only' } })));
    const routes: Array<[string, string]> = [
      ['GET', `/v1/jobs/${id}`],
      ['GET', `/job/${id}`],
      ['GET', `/v1/jobs/${id}/result`],
      ['GET', `/result/${id}`],
      ['GET', `/v1/jobs/${id}/events`],
      ['DELETE', `/v1/jobs/${id}`],
      ['DELETE', `/v1/jobs/${id}?purge=true`],
      ['POST', `/v1/jobs/${id}/retry`],
    ];
    for (const [method, path] of routes) {
      const res = await fetch(stack.baseUrl + path, { method, headers: auth(globex) });
      const text = await res.text();
      expect([method, path, res.status]).toEqual([method, path, 404]);
      expect(text).not.toContain('acme-only');
    }
    const list = await json(await fetch(`${stack.baseUrl}/v1/jobs?metadata.secret=acme-only`, { headers: auth(globex) }));
    expect(list.data).toEqual([]);
    expect((await json(await fetch(`${stack.baseUrl}/v1/jobs/${id}`, { headers: auth(acme) }))).status).toBe('queued');
  });
});

describe('Idempotency-Key', () => {
  it('makes one job out of 50 concurrent submissions', async () => {
    const key = `order-${Date.now()}`;
    const body = emailJob({ metadata: { idem: key } });
    const replies = await Promise.all(Array.from({ length: 50 }, () => post(acme, body, { 'idempotency-key': key })));
    const statuses = replies.map((r) => r.status);
    const ids = new Set(await Promise.all(replies.map(async (r) => (await json(r)).id)));
    expect(ids.size).toBe(1);
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(49);
    const list = await json(await fetch(`${stack.baseUrl}/v1/jobs?metadata.idem=${key}`, { headers: auth(acme) }));
    expect(list.data).toHaveLength(1);
  });

  it('refuses the same key with a different body', async () => {
    const key = `k-${Date.now()}`;
    expect((await post(acme, emailJob({ metadata: { n: 1 } }), { 'idempotency-key': key })).status).toBe(202);
    const clash = await post(acme, emailJob({ metadata: { n: 2 } }), { 'idempotency-key': key });
    expect(clash.status).toBe(422);
    expect((await json(clash)).code).toBe('idempotency_key_reused');
  });

  it('tells uploads apart by the file\'s bytes: the same file replays, another file with the same key is refused', async () => {
    const key = `upload-${Date.now()}`;
    const upload = (text: string) => {
      const form = new FormData();
      form.append('type', 'resume.parse');
      form.append('file', new Blob([text]), 'cv.txt');
      return fetch(`${stack.baseUrl}/v1/jobs`, { method: 'POST', headers: auth(acme, { 'idempotency-key': key }), body: form });
    };
    const first = await upload(JANE_TXT);
    expect(first.status).toBe(202);
    const again = await upload(JANE_TXT);
    expect([again.status, again.headers.get('idempotent-replayed')]).toEqual([200, 'true']);
    expect((await json(again)).id).toBe((await json(first)).id);
    const other = await upload(`${JANE_TXT}\nOne more line.`);
    expect([other.status, (await json(other)).code]).toEqual([422, 'idempotency_key_reused']);
  });

  it('takes run_at and max_attempts as form fields, with the JSON body\'s rules, and refuses a field given twice', async () => {
    const runAt = new Date(Date.now() + 3_600_000).toISOString();
    const form = (fields: Array<[string, string]>) => {
      const f = new FormData();
      f.append('type', 'resume.parse');
      for (const [k, v] of fields) f.append(k, v);
      f.append('file', new Blob([JANE_TXT]), 'cv.txt');
      return fetch(`${stack.baseUrl}/v1/jobs`, { method: 'POST', headers: auth(acme), body: f });
    };
    const delayed = await form([['run_at', runAt], ['max_attempts', '2']]);
    expect(delayed.status).toBe(202);
    expect(await json(delayed)).toMatchObject({ status: 'queued', run_at: runAt, max_attempts: 2 });
    const bad = await json(await form([['run_at', 'tomorrow']]));
    expect([bad.status, bad.detail, bad.errors]).toEqual([422, expect.stringContaining('ISO 8601'), [{ field: 'run_at', message: expect.stringContaining('ISO 8601') }]]);
    const twice = await form([['priority', '1'], ['priority', '2']]);
    expect([twice.status, (await json(twice)).detail]).toEqual([422, 'the form field "priority" is given more than once']);
  });

  it('keeps keys per tenant', async () => {
    const key = `shared-${Date.now()}`;
    const a = await json(await post(acme, emailJob(), { 'idempotency-key': key }));
    const g = await json(await post(globex, emailJob(), { 'idempotency-key': key }));
    expect(a.id).not.toBe(g.id);
  });
});

describe('list and search', () => {
  it('pages newest first with a cursor and filters by status, type and metadata', async () => {
    const batch = `b${Date.now()}`;
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await json(await post(globex, emailJob({ metadata: { batch } })))).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await json(await fetch(`${stack.baseUrl}/v1/jobs?limit=2&metadata.batch=${batch}&type=email.send&status=queued${cursor ? `&cursor=${cursor}` : ''}`, { headers: auth(globex) }));
      seen.push(...page.data.map((j: { id: string }) => j.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...made].reverse());
    const none = await json(await fetch(`${stack.baseUrl}/v1/jobs?status=completed&metadata.batch=${batch}`, { headers: auth(globex) }));
    expect(none.data).toEqual([]);
    const bad = await fetch(`${stack.baseUrl}/v1/jobs?status=done`, { headers: auth(globex) });
    expect(bad.status).toBe(400);
    const badCursor = await fetch(`${stack.baseUrl}/v1/jobs?cursor=nonsense`, { headers: auth(globex) });
    expect((await json(badCursor)).code).toBe('invalid_cursor');
    // An unknown type is a mistake like an unknown status, not an empty page; a repeated parameter says so.
    const badType = await fetch(`${stack.baseUrl}/v1/jobs?type=bogus`, { headers: auth(globex) });
    expect(badType.status).toBe(400);
    expect((await json(badType)).detail).toContain('unknown type "bogus"');
    for (const key of ['__proto__', '']) {
      const res = await fetch(`${stack.baseUrl}/v1/jobs?metadata.${key}=x`, { headers: auth(globex) });
      expect([key, res.status]).toEqual([key, 400]);
    }
    const twice = await fetch(`${stack.baseUrl}/v1/jobs?limit=1&limit=2`, { headers: auth(globex) });
    expect(twice.status).toBe(400);
    expect((await json(twice)).detail).toBe('query parameter "limit" is given more than once');
  });
});

describe('cancel, purge and retry', () => {
  it('cancels a queued job once, then purges it on request', async () => {
    const { id } = await json(await post(acme, emailJob()));
    const canceled = await fetch(`${stack.baseUrl}/v1/jobs/${id}`, { method: 'DELETE', headers: auth(acme) });
    expect((await json(canceled)).status).toBe('canceled');
    const again = await fetch(`${stack.baseUrl}/v1/jobs/${id}`, { method: 'DELETE', headers: auth(acme) });
    expect(again.status).toBe(409);
    const purged = await json(await fetch(`${stack.baseUrl}/v1/jobs/${id}?purge=true`, { method: 'DELETE', headers: auth(acme) }));
    expect(purged).toMatchObject({ status: 'canceled', purged: true });
    expect((await fetch(`${stack.baseUrl}/v1/jobs/${id}/result`, { headers: auth(acme) })).status).toBe(410);
  });

  it('purges the uploaded file and the result of a finished resume job', async () => {
    const form = new FormData();
    form.append('type', 'resume.parse');
    form.append('file', new Blob([JANE_TXT]), 'jane.txt');
    const { id } = await json(await fetch(`${stack.baseUrl}/v1/jobs`, { method: 'POST', headers: auth(acme), body: form }));
    await until(async () => (await json(await fetch(`${stack.baseUrl}/v1/jobs/${id}`, { headers: auth(acme) }))).status === 'completed');
    const { existsSync, readdirSync } = await import('node:fs');
    const inputs = () => readdirSync(join(stack.env.STORAGE_DIR, 'inputs'));
    expect(inputs()).toContain(id);
    const result = await fetch(`${stack.baseUrl}/v1/jobs/${id}/result`, { headers: auth(acme) });
    expect(result.status).toBe(200);
    expect((await json(result)).basics.name).toBe('Jane Q Doe');
    await fetch(`${stack.baseUrl}/v1/jobs/${id}?purge=true`, { method: 'DELETE', headers: auth(acme) });
    expect(inputs()).not.toContain(id);
    // A small result lives in the job's row, a large one in results/: gone from both, and said
    // the same way as for any purged job; the job no longer points at a result.
    const gone = await fetch(`${stack.baseUrl}/v1/jobs/${id}/result`, { headers: auth(acme) });
    expect([gone.status, (await json(gone)).code]).toEqual([410, 'gone']);
    const view = await json(await fetch(`${stack.baseUrl}/v1/jobs/${id}`, { headers: auth(acme, { prefer: 'return=redirect' }) }));
    expect(view).toMatchObject({ status: 'completed', purged: true, result_url: null });
    const results = join(stack.env.STORAGE_DIR, 'results');
    expect(existsSync(results) ? readdirSync(results) : []).not.toContain(`${id}.json`);
  });

  it('stops a running attempt when its job is canceled, so the job can be retried at once', async () => {
    // A minute-long attempt: without the stop, a retry is refused (409) until it ends.
    const { id } = await json(await post(acme, { type: 'noop', input: { ms: 60_000 } }));
    await until(async () => (await json(await fetch(`${stack.baseUrl}/v1/jobs/${id}`, { headers: auth(acme) }))).status === 'processing');
    expect((await json(await fetch(`${stack.baseUrl}/v1/jobs/${id}`, { method: 'DELETE', headers: auth(acme) }))).status).toBe('canceled');

    const retried = await until(async () => {
      const r = await fetch(`${stack.baseUrl}/v1/jobs/${id}/retry`, { method: 'POST', headers: auth(acme) });
      return r.status === 202 ? r : undefined;
    }, 5_000);
    expect((await json(retried)).status).toBe('queued');
    // The retried job runs again (a fresh attempt of the same minute): cancel it for good.
    await until(async () => (await json(await fetch(`${stack.baseUrl}/v1/jobs/${id}`, { headers: auth(acme) }))).status === 'processing');
    const final = await json(await fetch(`${stack.baseUrl}/v1/jobs/${id}`, { method: 'DELETE', headers: auth(acme) }));
    expect(final).toMatchObject({ status: 'canceled', attempts: 2 });
  });

  it('retries a failed job with a fresh attempt budget', async () => {
    // SMTP_URL points at a closed port: every attempt fails transiently.
    const { id } = await json(await post(acme, { type: 'email.send', max_attempts: 1, input: { to: 'x@example.com', subject: 's', text: 't' } }));
    await until(async () => (await json(await fetch(`${stack.baseUrl}/v1/jobs/${id}`, { headers: auth(acme) }))).status === 'failed');
    const retried = await fetch(`${stack.baseUrl}/v1/jobs/${id}/retry`, { method: 'POST', headers: auth(acme) });
    expect(retried.status).toBe(202);
    expect((await json(retried)).status).toBe('queued');
    const done = await until(async () => {
      const j = await json(await fetch(`${stack.baseUrl}/v1/jobs/${id}`, { headers: auth(acme) }));
      return j.status === 'failed' ? j : undefined;
    });
    expect(done.attempts).toBe(2);
    const notRetryable = await fetch(`${stack.baseUrl}/v1/jobs/${(await json(await post(acme, emailJob()))).id}/retry`, { method: 'POST', headers: auth(acme) });
    expect(notRetryable.status).toBe(409);
  });
});

describe('live status over SSE', () => {
  it('streams queued → processing → completed, and resumes after Last-Event-ID', async () => {
    // Longer than STARTED_EVENT_AFTER_MS (50 ms): the worker announces the attempt's start.
    const { id } = await json(await post(acme, { type: 'noop', input: { ms: 300 } }));
    const url = `${stack.baseUrl}/v1/jobs/${id}/events`;
    const full = await readSse(url, auth(acme, { 'last-event-id': '0' }), { until: (e) => e.event === 'status' && e.data.status === 'completed' });
    expect(full.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(full.headers.get('x-accel-buffering')).toBe('no');
    const statuses = full.events.filter((e) => e.event === 'status');
    expect(statuses.map((e) => e.data.status)).toEqual(['queued', 'processing', 'completed']);
    const ids = statuses.map((e) => Number(e.id));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);

    // A client that saw only the first event reconnects: it gets exactly the rest.
    const resumed = await readSse(url, auth(acme, { 'last-event-id': String(ids[0]) }), { until: (e) => e.data.status === 'completed' });
    expect(resumed.events.map((e) => e.data.status)).toEqual(['processing', 'completed']);

    // A fresh client on a finished job gets its current status and the stream ends.
    const late = await readSse(url, auth(acme));
    expect(late.events.map((e) => e.data.status)).toEqual(['completed']);
  });

  it('goes from queued straight to completed for an attempt shorter than STARTED_EVENT_AFTER_MS, with its start time', async () => {
    const { id } = await json(await post(acme, { type: 'noop', input: { ms: 0 } }));
    const seen = await readSse(`${stack.baseUrl}/v1/jobs/${id}/events`, auth(acme, { 'last-event-id': '0' }), { until: (e) => e.event === 'status' && e.data.status === 'completed' });
    expect(seen.events.filter((e) => e.event === 'status').map((e) => e.data.status)).toEqual(['queued', 'completed']);
    const job = await json(await fetch(`${stack.baseUrl}/v1/jobs/${id}`, { headers: auth(acme) }));
    expect(Date.parse(job.started_at)).toBeGreaterThanOrEqual(Date.parse(job.created_at));
    expect(Date.parse(job.started_at)).toBeLessThanOrEqual(Date.parse(job.finished_at));
  });

  it('sends live changes as they happen', async () => {
    const { id } = await json(await post(acme, emailJob()));
    const stream = readSse(`${stack.baseUrl}/v1/jobs/${id}/events`, auth(acme), { until: (e) => e.data.status === 'canceled' });
    await new Promise((r) => setTimeout(r, 300));
    await fetch(`${stack.baseUrl}/v1/jobs/${id}`, { method: 'DELETE', headers: auth(acme) });
    expect((await stream).events.map((e) => e.data.status)).toEqual(['queued', 'canceled']);
  });
});

describe('polling niceties', () => {
  it('answers 304 to If-None-Match and 303 to Prefer: return=redirect', async () => {
    const { id } = await json(await post(acme, emailJob()));
    const first = await fetch(`${stack.baseUrl}/v1/jobs/${id}`, { headers: auth(acme) });
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"/);
    expect((await fetch(`${stack.baseUrl}/v1/jobs/${id}`, { headers: auth(acme, { 'if-none-match': etag }) })).status).toBe(304);
    for (const header of ['*', `"other", ${etag}`, etag.slice(2)]) {
      expect([header, (await fetch(`${stack.baseUrl}/v1/jobs/${id}`, { headers: auth(acme, { 'if-none-match': header }) })).status]).toEqual([header, 304]);
    }
    expect((await fetch(`${stack.baseUrl}/v1/jobs/${id}`, { headers: auth(acme, { 'if-none-match': '"other"' }) })).status).toBe(200);

    const form = new FormData();
    form.append('type', 'resume.parse');
    form.append('file', new Blob([JANE_TXT]), 'jane.txt');
    const done = await json(await fetch(`${stack.baseUrl}/v1/jobs`, { method: 'POST', headers: auth(acme), body: form }));
    await until(async () => (await json(await fetch(`${stack.baseUrl}/v1/jobs/${done.id}`, { headers: auth(acme) }))).status === 'completed');
    const redirect = await fetch(`${stack.baseUrl}/v1/jobs/${done.id}`, { headers: auth(acme, { prefer: 'return=redirect' }), redirect: 'manual' });
    expect(redirect.status).toBe(303);
    expect(redirect.headers.get('location')).toBe(`/v1/jobs/${done.id}/result`);
  });

  it('echoes request ids and sends security headers', async () => {
    const res = await fetch(`${stack.baseUrl}/v1/jobs`, { headers: auth(acme, { 'x-request-id': 'trace-123' }) });
    expect(res.headers.get('x-request-id')).toBe('trace-123');
    // Echoed only if reasonable: a 3000-character id, or one with spaces, is replaced by a fresh one.
    for (const rid of ['x'.repeat(3000), 'a b', 'y'.repeat(129)]) {
      const other = await fetch(`${stack.baseUrl}/v1/jobs`, { headers: auth(acme, { 'x-request-id': rid }) });
      expect(other.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    const longest = 'z'.repeat(128);
    expect((await fetch(`${stack.baseUrl}/v1/jobs`, { headers: auth(acme, { 'x-request-id': longest }) })).headers.get('x-request-id')).toBe(longest);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const own = await fetch(`${stack.baseUrl}/health/live`);
    expect(own.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('limits requests per key with 429 and Retry-After', async () => {
    const key = createKey('burst');
    const replies = await Promise.all(Array.from({ length: 250 }, () => fetch(`${stack.baseUrl}/v1/jobs?limit=1`, { headers: auth(key) })));
    const limited = replies.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0].headers.get('retry-after')).toBe('1');
    expect(replies.filter((r) => r.status === 200).length).toBeGreaterThan(0);
  });
});
