import { Webhook } from 'standardwebhooks';
import { startStack, Stack } from '../support/stack';
import { ReceivedWebhook, startSmtpServer, startWebhookReceiver } from '../support/receivers';
import { json, submitJson, until, waitForEnd } from '../support/http';

jest.setTimeout(240_000);

/**
 * Webhooks as a customer sees them, through all five apps: registered endpoints with their own
 * secrets and event filters, the tenant secret of per-job callbacks and its rotation, endpoints
 * disabled by a 410 (and the tenant emailed), 1,000 deliveries verified with the
 * `standardwebhooks` package, and a dead receiver that never holds a job's status back.
 */
let stack: Stack;
let hooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
let dead: Awaited<ReturnType<typeof startWebhookReceiver>>;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
/** Paths the receiver answers 410 Gone on. */
const goneHere = new Set<string>();

beforeAll(async () => {
  hooks = await startWebhookReceiver((path) => (goneHere.has(path) ? 410 : 200));
  dead = await startWebhookReceiver();
  smtp = await startSmtpServer();
  stack = await startStack({ AUTH_REQUIRED: 'false', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', SMTP_URL: smtp.url, RATE_LIMIT_PER_SECOND: '100000', RETRY_BACKOFF_FACTOR: '0.002' });
});
afterAll(async () => {
  await stack?.stop();
  await hooks?.close();
  await dead?.close();
  await smtp?.close();
});

const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${stack.baseUrl}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: res.status === 204 ? null : await json(res) };
};
const at = (path: string) => hooks.received.filter((h) => h.path === path);
const headersOf = (h: ReceivedWebhook) => ({ 'webhook-id': String(h.headers['webhook-id']), 'webhook-timestamp': String(h.headers['webhook-timestamp']), 'webhook-signature': String(h.headers['webhook-signature']) });
/** The payload if `secret` verifies the delivery (standardwebhooks checks signature and timestamp). */
const verify = (secret: string, h: ReceivedWebhook) => new Webhook(secret).verify(h.body, headersOf(h)) as { type: string; data: { id: string; status: string } };
const noop = (notify: Record<string, string> = {}, input: Record<string, number> = {}) => submitJson(stack.baseUrl, { type: 'noop', input, notify, max_attempts: 1 }).then(json);

describe('registered endpoints', () => {
  it('get the events they subscribed to, signed with their own secret, and keep a delivery log', async () => {
    const all = await api('POST', '/v1/webhooks/endpoints', { url: `${hooks.url}/ep-all`, description: 'everything' });
    const failures = await api('POST', '/v1/webhooks/endpoints', { url: `${hooks.url}/ep-failures`, events: ['job.failed'] });
    expect([all.status, failures.status]).toEqual([201, 201]);
    expect(all.body.secret).toMatch(/^whsec_/);
    expect(all.body.secret).not.toBe(failures.body.secret);

    const ok = await noop();
    const bad = await noop({}, { fail_attempts: 5 });
    await until(() => (at('/ep-all').length >= 2 && at('/ep-failures').length >= 1 ? true : undefined), 30_000);

    expect(at('/ep-all').map((h) => verify(all.body.secret, h)).map((p) => [p.data.id, p.type]).sort()).toEqual([[ok.id, 'job.completed'], [bad.id, 'job.failed']].sort());
    expect(at('/ep-failures').map((h) => verify(failures.body.secret, h).data.id)).toEqual([bad.id]);
    // Another endpoint's secret does not verify it.
    expect(() => verify(failures.body.secret, at('/ep-all')[0])).toThrow();

    const log = await until(async () => {
      const l = (await api('GET', `/v1/webhooks/endpoints/${all.body.id}/deliveries`)).body.data;
      return l.length === 2 ? l : undefined;
    });
    expect(log.map((d: { job_id: string }) => d.job_id).sort()).toEqual([ok.id, bad.id].sort());
    expect(log.every((d: { endpoint_id: string; outcome: string; status_code: number }) => d.endpoint_id === all.body.id && d.outcome === 'delivered' && d.status_code === 200)).toBe(true);
    // The job's own log lists the endpoint attempt too.
    expect((await api('GET', `/v1/jobs/${bad.id}/deliveries`)).body.data.map((d: { endpoint_id: string }) => d.endpoint_id).sort()).toEqual([all.body.id, failures.body.id].sort());

    for (const ep of [all, failures]) expect((await api('DELETE', `/v1/webhooks/endpoints/${ep.body.id}`)).status).toBe(204);
    expect((await api('GET', '/v1/webhooks/endpoints')).body.data).toEqual([]);
  });

  it('are disabled by a 410 and the tenant emailed; turned back on, they get deliveries again', async () => {
    expect((await api('PUT', '/v1/webhooks/settings', { alert_email: 'ops@shop.example' })).body).toEqual({ alert_email: 'ops@shop.example' });
    goneHere.add('/ep-gone');
    const ep = (await api('POST', '/v1/webhooks/endpoints', { url: `${hooks.url}/ep-gone` })).body;

    await noop();
    const off = await until(async () => {
      const e = (await api('GET', `/v1/webhooks/endpoints/${ep.id}`)).body;
      return e.enabled ? undefined : e;
    }, 30_000);
    expect(off).toMatchObject({ enabled: false, disabled_reason: 'gone' });
    const mail = await until(() => smtp.messages.find((m) => m.subject?.includes('webhook endpoint disabled')), 30_000);
    expect(mail.text).toContain(`${hooks.url}/ep-gone`);
    expect(mail.text).toContain('410');
    expect(at('/ep-gone')).toHaveLength(1); // 410 is final: no retry

    // Disabled: a new job is not even addressed to it.
    const after = await noop({ webhook: `${hooks.url}/own-after-410` });
    await until(() => at('/own-after-410').find((h) => JSON.parse(h.body).data.id === after.id), 30_000);
    const log = await until(async () => {
      const l = (await api('GET', `/v1/jobs/${after.id}/deliveries`)).body.data;
      return l.length ? l : undefined;
    });
    expect(log.map((d: { url: string }) => d.url)).toEqual([`${hooks.url}/own-after-410`]);

    goneHere.delete('/ep-gone');
    expect((await api('PATCH', `/v1/webhooks/endpoints/${ep.id}`, { enabled: true })).body).toMatchObject({ enabled: true, disabled_reason: null });
    const again = await noop();
    const got = await until(() => at('/ep-gone').find((h) => JSON.parse(h.body).data.id === again.id), 30_000);
    expect(verify(ep.secret, got).data.id).toBe(again.id);
    expect((await api('DELETE', `/v1/webhooks/endpoints/${ep.id}`)).status).toBe(204);
  });

  it('refuse bad registrations with a clear 422', async () => {
    for (const body of [{ url: 'ftp://example.com/x' }, { url: 'not a url' }, { url: 'http://user:pw@127.0.0.1:9999/' }, { url: 'https://example.com', events: ['job.exploded'] }, { url: 'https://example.com', events: [] }, { url: 'https://example.com', extra: 1 }]) {
      const res = await api('POST', '/v1/webhooks/endpoints', body);
      expect([JSON.stringify(body), res.status, res.body.code]).toEqual([JSON.stringify(body), 422, 'validation_failed']);
    }
    expect((await api('PATCH', '/v1/webhooks/endpoints/00000000-0000-4000-8000-000000000000', { enabled: true })).status).toBe(404);
    expect((await api('PATCH', '/v1/webhooks/endpoints/00000000-0000-4000-8000-000000000000', {})).status).toBe(422);
  });
});

describe('per-job callbacks', () => {
  it('refuse a callback URL with credentials with 422, JSON and multipart, before any job is made', async () => {
    const json422 = await submitJson(stack.baseUrl, { type: 'noop', input: {}, notify: { webhook: 'http://user:pw@127.0.0.1:9999/' } });
    const form = new FormData();
    form.append('type', 'resume.parse');
    form.append('callback_url', 'http://user:pw@127.0.0.1:9999/');
    form.append('file', new Blob(['Jane Doe\njane@example.com\n']), 'cv.txt');
    const multipart422 = await fetch(`${stack.baseUrl}/v1/jobs`, { method: 'POST', body: form });
    for (const res of [json422, multipart422]) {
      expect(res.status).toBe(422);
      expect(JSON.stringify(await json(res))).toMatch(/credentials/);
    }
  });

  it('take a private receiver that WEBHOOK_ALLOWED_HOSTS allows (127.0.0.1 here, localhost with it), and refuse other private ones with 422', async () => {
    const submit = (webhook: string) => submitJson(stack.baseUrl, { type: 'noop', input: {}, notify: { webhook } }).then(async (r) => [r.status, (await json(r)).errors]);
    expect(await submit(`${hooks.url}/allowed`)).toEqual([202, undefined]);
    expect(await submit(`${hooks.url.replace('127.0.0.1', 'localhost')}/allowed`)).toEqual([202, undefined]);
    for (const [url, host] of [['http://10.1.2.3/', '10.1.2.3'], ['http://[::1]:9/', '::1'], ['http://169.254.169.254/', '169.254.169.254']]) {
      expect(await submit(url)).toEqual([422, [{ field: 'notify.webhook', message: `${host} is not a public address; WEBHOOK_ALLOWED_HOSTS lets private receivers through` }]]);
    }
    const ep = await api('POST', '/v1/webhooks/endpoints', { url: `${hooks.url}/ep-allowed` });
    expect(ep.status).toBe(201);
    expect((await api('DELETE', `/v1/webhooks/endpoints/${ep.body.id}`)).status).toBe(204);
    expect((await api('POST', '/v1/webhooks/endpoints', { url: 'http://10.1.2.3/' })).status).toBe(422);
  });
});

describe("the tenant's signing secret", () => {
  it('signs per-job callbacks; after a rotation both the old and the new secret verify every delivery', async () => {
    const before = (await api('GET', '/v1/webhooks/secret')).body;
    const first = await noop({ webhook: `${hooks.url}/rotation` });
    const h1 = await until(() => at('/rotation').find((h) => JSON.parse(h.body).data.id === first.id), 30_000);
    expect(verify(before.secret, h1).data.id).toBe(first.id);

    const rotated = await api('POST', '/v1/webhooks/secret/rotate');
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(before.secret);
    const graceMs = Date.parse(rotated.body.previous_valid_until) - Date.now();
    expect(graceMs).toBeGreaterThan(23 * 3600_000);
    expect(graceMs).toBeLessThanOrEqual(24 * 3600_000);
    expect((await api('GET', '/v1/webhooks/secret')).body).toEqual(rotated.body);

    const second = await noop({ webhook: `${hooks.url}/rotation` });
    const h2 = await until(() => at('/rotation').find((h) => JSON.parse(h.body).data.id === second.id), 30_000);
    expect(String(h2.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(rotated.body.secret, h2).data.id).toBe(second.id);
    expect(verify(before.secret, h2).data.id).toBe(second.id);
  });
});

describe('at volume', () => {
  it('makes 1,000 deliveries that all verify with the standardwebhooks package, one webhook-id per job', async () => {
    const JOBS = 500; // × (the job's own webhook + a registered endpoint) = 1,000 deliveries
    const ep = (await api('POST', '/v1/webhooks/endpoints', { url: `${hooks.url}/bulk-endpoint`, events: ['job.completed'] })).body;
    const tenantSecret = (await api('GET', '/v1/webhooks/secret')).body.secret;
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i += 25) {
      const batch = await Promise.all(Array.from({ length: Math.min(25, JOBS - i) }, () => noop({ webhook: `${hooks.url}/bulk-own` })));
      ids.push(...batch.map((j) => j.id));
    }
    await until(() => (at('/bulk-own').length >= JOBS && at('/bulk-endpoint').length >= JOBS ? true : undefined), 180_000);

    const own = at('/bulk-own').map((h) => ({ id: verify(tenantSecret, h).data.id, msg: h.headers['webhook-id'] }));
    const viaEndpoint = at('/bulk-endpoint').map((h) => ({ id: verify(ep.secret, h).data.id, msg: h.headers['webhook-id'] }));
    expect(own.length + viaEndpoint.length).toBe(2 * JOBS);
    expect(new Set(own.map((o) => o.id))).toEqual(new Set(ids));
    expect(new Set(viaEndpoint.map((o) => o.id))).toEqual(new Set(ids));
    // The same event has the same webhook-id at every target; different jobs have different ones.
    const msgOf = new Map(own.map((o) => [o.id, o.msg]));
    expect(viaEndpoint.every((v) => msgOf.get(v.id) === v.msg)).toBe(true);
    expect(new Set(own.map((o) => o.msg)).size).toBe(JOBS);
    await api('DELETE', `/v1/webhooks/endpoints/${ep.id}`);
  });
});

describe('a job retried by hand', () => {
  it('notifies each of its endings: failed, then completed, each under its own webhook-id', async () => {
    const job = await noop({ webhook: `${hooks.url}/retried` }, { ms: 0, fail_attempts: 1 });
    expect((await waitForEnd(stack.baseUrl, job.id)).status).toBe('failed');
    await until(() => at('/retried').find((h) => JSON.parse(h.body).data.status === 'failed'));
    expect((await api('POST', `/v1/jobs/${job.id}/retry`)).status).toBe(202);
    expect((await waitForEnd(stack.baseUrl, job.id)).status).toBe('completed');
    const completed = await until(() => at('/retried').find((h) => JSON.parse(h.body).data.status === 'completed'));
    const failed = at('/retried').find((h) => JSON.parse(h.body).data.status === 'failed')!;
    expect(completed.headers['webhook-id']).not.toBe(failed.headers['webhook-id']);
  });
});

describe('a dead receiver', () => {
  it("never delays the job's status: the job is completed while its webhook is still unanswered", async () => {
    dead.pause(); // takes connections, reads and answers nothing
    const job = await noop({ webhook: `${dead.url}/dead` });
    const done = await waitForEnd(stack.baseUrl, job.id);
    expect(done.status).toBe('completed');
    expect(dead.received).toHaveLength(0);
    expect((await api('GET', `/v1/jobs/${job.id}/deliveries`)).body.data.filter((d: { outcome: string }) => d.outcome === 'delivered')).toEqual([]);

    dead.resume();
    const hook = await until(() => dead.received.find((h) => JSON.parse(h.body).data.id === job.id), 60_000);
    expect(JSON.parse(hook.body).data.status).toBe('completed');
  });
});
