import { gzipSync } from 'node:zlib';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JANE, JANE_HTML, JANE_MD, JANE_TXT, docxZipBomb, encryptedPdf, janeDocx, janeSingleColumnPdf, janeTwoColumnPdf, makePdf, manyPagesPdf } from '@jobdesk/testing';
import { startStack, Stack } from '../support/stack';
import { startSmtpServer, startWebhookReceiver } from '../support/receivers';
import { startTwilioFake } from '../support/twilio-fake';
import { json, submitFile, submitJson, until, waitForEnd } from '../support/http';
import { Webhook } from 'standardwebhooks';

/** The tenant's signing secret for per-job callbacks, read from the API once the stack runs. */
let WEBHOOK_SECRET: string;
const UPLOAD_LIMIT = 300_000;

jest.setTimeout(120_000);

let stack: Stack;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let hooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
let twilio: Awaited<ReturnType<typeof startTwilioFake>>;
const SMS_SID = 'AC00000000000000000000000000000001';

beforeAll(async () => {
  smtp = await startSmtpServer();
  // Paths like /flaky-3 fail that many times before answering 200.
  const failures = new Map<string, number>();
  hooks = await startWebhookReceiver((path) => {
    const m = /^\/flaky-(\d+)/.exec(path);
    if (!m) return 200;
    const seen = failures.get(path) ?? 0;
    failures.set(path, seen + 1);
    return seen < Number(m[1]) ? 503 : 200;
  });
  twilio = await startTwilioFake(new Map([['+14155550199', 1]]));
  stack = await startStack({
    SMS_BASE_URL: twilio.url,
    SMS_ACCOUNT_SID: SMS_SID,
    SMS_AUTH_TOKEN: 'sms-token',
    SMS_FROM: '+14155550100',
    AUTH_REQUIRED: 'false', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', SMTP_URL: smtp.url, MAX_UPLOAD_BYTES: String(UPLOAD_LIMIT), MAIL_FROM: 'shop@example.com' });
  WEBHOOK_SECRET = (await json(await fetch(`${stack.baseUrl}/v1/webhooks/secret`))).secret;
});

afterAll(async () => {
  await stack?.stop();
  await smtp?.close();
  await hooks?.close();
  await twilio?.close();
});

/** A test failure shows what the apps said. */
function dumpLogsOnFailure(err: unknown): never {
  const tail = Object.entries(stack.logs).map(([n, l]) => `--- ${n}\n${l.join('').split('\n').slice(-15).join('\n')}`).join('\n');
  throw new Error(`${(err as Error).message}\n${tail}`);
}

describe('resume.parse through all five apps', () => {
  const cases: Array<[string, () => Promise<Buffer>, string]> = [
    ['txt', async () => Buffer.from(JANE_TXT), 'jane.txt'],
    ['md', async () => Buffer.from(JANE_MD), 'jane.md'],
    ['docx', janeDocx, 'jane.docx'],
    ['pdf', janeTwoColumnPdf, 'jane.pdf'],
  ];

  it.each(cases)('%s: 202 → completed → result with the right name and email', async (format, build, filename) => {
    const res = await submitFile(stack.baseUrl, await build(), filename);
    const job = await json(res);
    expect(res.status).toBe(202);
    expect(job).toMatchObject({ type: 'resume.parse', status: 'queued', progress: 0 });
    expect(res.headers.get('location')).toBe(`/v1/jobs/${job.id}`);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);

    const done = await waitForEnd(stack.baseUrl, job.id).catch(dumpLogsOnFailure);
    expect(done).toMatchObject({ status: 'completed', progress: 100, attempts: 1, error: null, result_url: `/v1/jobs/${job.id}/result` });
    expect(Date.parse(done.finished_at)).toBeGreaterThanOrEqual(Date.parse(done.started_at));

    const result = await json(await fetch(stack.baseUrl + done.result_url));
    expect(result.basics).toMatchObject({ name: JANE.name, email: JANE.email });
    expect(result.meta.sourceFormat).toBe(format);
    expect(result.work.length).toBeGreaterThan(0);
  });

  it('ends each hostile file as a failed job with its own code, and the next job still completes', async () => {
    const pages = await manyPagesPdf(2000);
    const hostile: Array<[string, Buffer, string]> = [
      ['2000-pages.pdf', pages, 'too_many_pages'],
      ['bomb.docx', docxZipBomb(200), 'input_too_large'],
      ['locked.pdf', encryptedPdf(), 'encrypted_input'],
      ['cut.pdf', (await janeSingleColumnPdf()).subarray(0, 1200), 'corrupt_input'],
    ];
    const submitted = [];
    for (const [name, bytes, code] of hostile) {
      const res = await submitFile(stack.baseUrl, bytes, name);
      expect([name, res.status]).toEqual([name, 202]);
      submitted.push({ name, code, id: (await json(res)).id as string });
    }
    // Queued behind all of them: the worker survived each.
    const next = await json(await submitFile(stack.baseUrl, await janeSingleColumnPdf(), 'next.pdf'));
    for (const s of submitted) {
      const done = await waitForEnd(stack.baseUrl, s.id).catch(dumpLogsOnFailure);
      expect([s.name, done.status, done.error?.code, done.attempts]).toEqual([s.name, 'failed', s.code, 1]);
      expect(done.error.message.length).toBeGreaterThan(10);
    }
    expect((await waitForEnd(stack.baseUrl, next.id)).status).toBe('completed');
  });

  it('reads an HTML page named .pdf by its bytes, as HTML', async () => {
    const res = await submitFile(stack.baseUrl, Buffer.from(JANE_HTML), 'resume.pdf');
    expect(res.status).toBe(202);
    const done = await waitForEnd(stack.baseUrl, (await json(res)).id);
    expect(done.status).toBe('completed');
    const result = await json(await fetch(stack.baseUrl + done.result_url));
    expect(result.meta.sourceFormat).toBe('html');
    expect(result.basics.email).toBe(JANE.email);
  });

  it('answers on the seed spellings /job, /job/{id}, /result/{id}', async () => {
    const res = await submitFile(stack.baseUrl, Buffer.from(JANE_TXT), 'jane.txt', { type: 'resume.parse' }, '/job');
    expect(res.status).toBe(202);
    const { id } = await json(res);
    await until(async () => (await json(await fetch(`${stack.baseUrl}/job/${id}`))).status === 'completed');
    const result = await json(await fetch(`${stack.baseUrl}/result/${id}`));
    expect(result.basics.email).toBe(JANE.email);
  });

  it('fails a corrupt PDF at once with a code, without retrying', async () => {
    const corrupt = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2000, 0x41)]);
    const { id } = await json(await submitFile(stack.baseUrl, corrupt, 'broken.pdf'));
    const done = await waitForEnd(stack.baseUrl, id);
    expect(done.status).toBe('failed');
    expect(done.attempts).toBe(1);
    expect(done.error.code).toBe('corrupt_input');
    const result = await fetch(`${stack.baseUrl}/v1/jobs/${id}/result`);
    expect(result.status).toBe(409);
    expect((await json(result)).code).toBe('job_failed');
  });

  it('calls the callback_url with a Standard Webhooks signature over the exact body', async () => {
    const { id } = await json(await submitFile(stack.baseUrl, Buffer.from(JANE_TXT), 'jane.txt', { type: 'resume.parse', callback_url: `${hooks.url}/hook` }));
    const hook = await until(() => hooks.received.find((h) => JSON.parse(h.body).data.id === id));
    const msgId = String(hook.headers['webhook-id']);
    const ts = String(hook.headers['webhook-timestamp']);
    const expected = createHmac('sha256', Buffer.from(WEBHOOK_SECRET.slice('whsec_'.length), 'base64')).update(`${msgId}.${ts}.${hook.body}`).digest('base64');
    expect(String(hook.headers['webhook-signature']).split(' ')).toContain(`v1,${expected}`);
    expect(Math.abs(Date.now() / 1000 - Number(ts))).toBeLessThan(60);
    const body = JSON.parse(hook.body);
    expect(body).toMatchObject({ type: 'job.completed', data: { id, status: 'completed', result_url: `${stack.baseUrl}/v1/jobs/${id}/result` } });
  });
});

describe('webhook retries', () => {
  it('retries a failing receiver on the schedule with the same webhook-id, verifiable by the standardwebhooks package', async () => {
    const path = `/flaky-3-${Date.now()}`;
    const res = await submitJson(stack.baseUrl, { type: 'noop', input: {}, notify: { webhook: `${hooks.url}${path}` } });
    const { id } = await json(res);
    const attempts = await until(() => {
      const got = hooks.received.filter((h) => h.path === path);
      return got.length >= 4 ? got : undefined;
    }, 30_000);
    expect(attempts).toHaveLength(4);
    expect(new Set(attempts.map((a) => a.headers['webhook-id'])).size).toBe(1);
    // RETRY_BACKOFF_FACTOR 0.002: 5 s, 5 min, 30 min become 10 ms, 600 ms, 3.6 s (±10 %).
    const gaps = attempts.slice(1).map((a, i) => a.at - attempts[i].at);
    expect(gaps[1]).toBeGreaterThan(500);
    expect(gaps[2]).toBeGreaterThan(3_000);
    expect(gaps[2]).toBeLessThan(6_000);
    const wh = new Webhook(WEBHOOK_SECRET);
    for (const a of attempts) {
      const headers = { 'webhook-id': String(a.headers['webhook-id']), 'webhook-timestamp': String(a.headers['webhook-timestamp']), 'webhook-signature': String(a.headers['webhook-signature']) };
      expect(wh.verify(a.body, headers)).toMatchObject({ type: 'job.completed', data: { id } });
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(hooks.received.filter((h) => h.path === path)).toHaveLength(4);

    // The delivery log shows each attempt; a manual redelivery sends the same webhook-id again.
    const log = await until(async () => {
      const l = await json(await fetch(`${stack.baseUrl}/v1/jobs/${id}/deliveries`));
      return l.data.length === 4 ? l.data : undefined;
    });
    expect(log.map((d: { status_code: number; outcome: string }) => [d.status_code, d.outcome])).toEqual([[503, 'failed'], [503, 'failed'], [503, 'failed'], [200, 'delivered']]);
    expect(log.every((d: { latency_ms: number; message_id: string }) => d.latency_ms >= 0 && d.message_id === attempts[0].headers['webhook-id'])).toBe(true);
    expect((await fetch(`${stack.baseUrl}/v1/jobs/${id}/redeliver`, { method: 'POST' })).status).toBe(202);
    const again = await until(() => {
      const got = hooks.received.filter((h) => h.path === path);
      return got.length === 5 ? got[4] : undefined;
    });
    expect(again.headers['webhook-id']).toBe(attempts[0].headers['webhook-id']);
  });
});

describe('email.send', () => {
  const order = {
    order_id: 'A-1001',
    customer_name: 'Ada <Lovelace>',
    currency: 'EUR',
    items: [
      { name: 'Teapot', quantity: 2, unit_price: 12.5 },
      { name: 'Cups', quantity: 4, unit_price: 3 },
    ],
  };

  it('sends an order confirmation to a real SMTP server', async () => {
    const res = await submitJson(stack.baseUrl, { type: 'email.send', input: { to: 'ada@example.com', template: 'order-confirmation', data: order } });
    expect(res.status).toBe(202);
    const done = await waitForEnd(stack.baseUrl, (await json(res)).id).catch(dumpLogsOnFailure);
    expect(done.status).toBe('completed');
    const mail = await until(() => smtp.messages.find((m) => m.subject?.includes('A-1001')));
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toBe('ada@example.com');
    expect(mail.from?.text).toBe('shop@example.com');
    expect(mail.text).toContain('Ada <Lovelace>');
    expect(mail.text).toMatch(/€37\.00/);
    expect(mail.html).toContain('Ada &lt;Lovelace&gt;');
    const result = await json(await fetch(stack.baseUrl + done.result_url));
    expect(result.accepted).toEqual(['ada@example.com']);
  });

  it('retries a temporary SMTP failure, then fails with the code and message', async () => {
    const res = await submitJson(stack.baseUrl, { type: 'email.send', max_attempts: 3, input: { to: 'tempfail@example.com', subject: 'hi', text: 'x' } });
    const done = await waitForEnd(stack.baseUrl, (await json(res)).id);
    expect(done).toMatchObject({ status: 'failed', attempts: 3, max_attempts: 3 });
    expect(done.error.code).toBe('smtp_unavailable');
    expect(done.error.message).toMatch(/451/);
    expect(smtp.rcptAttempts.filter((a) => a === 'tempfail@example.com')).toHaveLength(3);
  });

  it('fails a permanent SMTP rejection at once, with the server reply', async () => {
    const res = await submitJson(stack.baseUrl, { type: 'email.send', input: { to: 'permfail@example.com', subject: 'hi', text: 'x' } });
    const done = await waitForEnd(stack.baseUrl, (await json(res)).id);
    expect(done).toMatchObject({ status: 'failed', attempts: 1 });
    expect(done.error.code).toBe('smtp_rejected');
    expect(done.error.message).toMatch(/550.*no such user/);
  });

  it('keeps a delayed job queued and answers 409 for its result', async () => {
    const runAt = new Date(Date.now() + 3_600_000).toISOString();
    const res = await submitJson(stack.baseUrl, { type: 'email.send', run_at: runAt, input: { to: 'later@example.com', subject: 'later', text: 'x' } });
    const { id } = await json(res);
    const result = await fetch(`${stack.baseUrl}/v1/jobs/${id}/result`);
    expect(result.status).toBe(409);
    expect((await json(result)).code).toBe('result_not_ready');
    expect(result.headers.get('retry-after')).toBeTruthy();
    expect((await json(await fetch(`${stack.baseUrl}/v1/jobs/${id}`))).status).toBe('queued');
  });
});

describe('sms.send and notification channels', () => {
  it('sends an SMS in Twilio\'s shape, retrying a 429', async () => {
    const res = await submitJson(stack.baseUrl, { type: 'sms.send', input: { to: '+14155550199', body: 'Your table is ready' } });
    expect(res.status).toBe(202);
    const done = await waitForEnd(stack.baseUrl, (await json(res)).id).catch(dumpLogsOnFailure);
    expect(done).toMatchObject({ status: 'completed', attempts: 2 });
    const sent = twilio.requests.filter((r) => r.form.To === '+14155550199');
    expect(sent).toHaveLength(2);
    expect(sent[1].path).toBe(`/2010-04-01/Accounts/${SMS_SID}/Messages.json`);
    expect(sent[1].form).toEqual({ To: '+14155550199', From: '+14155550100', Body: 'Your table is ready' });
    expect(sent[1].headers.authorization).toBe(`Basic ${Buffer.from(`${SMS_SID}:sms-token`).toString('base64')}`);
    expect(await json(await fetch(stack.baseUrl + done.result_url))).toMatchObject({ status: 'queued' });
  });

  it('refuses a number that is not E.164 before queueing', async () => {
    const res = await submitJson(stack.baseUrl, { type: 'sms.send', input: { to: '555-0199', body: 'x' } });
    expect(res.status).toBe(422);
    expect((await json(res)).errors[0]).toMatchObject({ field: 'input.to' });
  });

  it('fails at once when the provider rejects the number, with its message', async () => {
    const res = await submitJson(stack.baseUrl, { type: 'sms.send', input: { to: '+15005550001', body: 'x' } });
    const done = await waitForEnd(stack.baseUrl, (await json(res)).id);
    expect(done).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'sms_rejected' } });
    expect(done.error.message).toMatch(/400 \(code 21211\)/);
  });

  it('tells a finished job\'s email and sms targets', async () => {
    const res = await submitJson(stack.baseUrl, { type: 'noop', input: {}, notify: { email: 'owner@example.com', sms: '+14155550142' } });
    const { id } = await json(res);
    const mail = await until(() => smtp.messages.find((m) => m.subject === `Job ${id} completed`), 20_000).catch(dumpLogsOnFailure);
    expect(mail.text).toContain(`${stack.baseUrl}/v1/jobs/${id}/result`);
    const sms = await until(() => twilio.requests.find((r) => r.form.To === '+14155550142'));
    expect(sms.form.Body).toContain(id.slice(0, 8));
    const children = await json(await fetch(`${stack.baseUrl}/v1/jobs?metadata.notification_for=${id}`));
    expect(children.data.map((j: { type: string }) => j.type).sort()).toEqual(['email.send', 'sms.send']);
  });
});

describe('an upload with notify', () => {
  it('tells the email given in the form field "notify" when the resume is parsed', async () => {
    const res = await submitFile(stack.baseUrl, Buffer.from(JANE_TXT), 'jane.txt', { type: 'resume.parse', notify: JSON.stringify({ email: 'recruiter@example.com' }) });
    expect(res.status).toBe(202);
    const { id } = await json(res);

    const mail = await until(() => smtp.messages.find((m) => m.subject === `Job ${id} completed`), 20_000).catch(dumpLogsOnFailure);

    expect(JSON.stringify(mail.to)).toContain('recruiter@example.com');
    expect(mail.text).toContain(`${stack.baseUrl}/v1/jobs/${id}/result`);
  });

  it('refuses a webhook given twice, and a notify that is not a JSON object of targets, with a 422 naming the field', async () => {
    const twice = await submitFile(stack.baseUrl, Buffer.from(JANE_TXT), 'a.txt', { type: 'resume.parse', callback_url: 'https://example.com/a', notify: JSON.stringify({ webhook: 'https://example.com/b' }) });
    const junk = await submitFile(stack.baseUrl, Buffer.from(JANE_TXT), 'a.txt', { type: 'resume.parse', notify: '{"email": "not an address"}' });

    expect([twice.status, (await json(twice)).detail]).toEqual([422, expect.stringContaining('callback_url')]);
    expect([junk.status, (await json(junk)).detail]).toEqual([422, expect.stringContaining('"notify"')]);
  });
});

describe('noop', () => {
  it('is retried after failing attempts and completes on the third', async () => {
    const res = await submitJson(stack.baseUrl, { type: 'noop', max_attempts: 3, input: { ms: 10, fail_attempts: 2 } });
    const done = await waitForEnd(stack.baseUrl, (await json(res)).id);
    expect(done).toMatchObject({ status: 'completed', attempts: 3 });
    expect(await json(await fetch(stack.baseUrl + done.result_url))).toEqual({ ok: true, attempt: 3, slept_ms: 10 });
  });
});

describe('bad input gets a clear 4xx problem and the service stays healthy', () => {
  // Bytes decide, not names: an executable named resume.pdf is still an executable.
  const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(500, 1)]);
  const cases: Array<[string, () => Promise<Response>, number, string]> = [
    ['an unknown type', () => submitJson(stack.baseUrl, { type: 'video.transcode', input: {} }), 422, 'unknown_job_type'],
    ['an unknown type in a form', () => submitFile(stack.baseUrl, Buffer.from('x'), 'a.txt', { type: 'nope' }), 422, 'unknown_job_type'],
    ['a form without a type', () => fetch(`${stack.baseUrl}/v1/jobs`, { method: 'POST', body: formWith({ name: 'x' }) }), 422, 'validation_failed'],
    ['a form without a file', () => fetch(`${stack.baseUrl}/v1/jobs`, { method: 'POST', body: formWith({ type: 'resume.parse' }) }), 400, 'missing_file'],
    ['an empty file', () => submitFile(stack.baseUrl, Buffer.alloc(0), 'empty.pdf'), 422, 'empty_file'],
    ['a file over the limit', () => submitFile(stack.baseUrl, Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(UPLOAD_LIMIT + 10, 0x20)]), 'big.pdf'), 413, 'payload_too_large'],
    ['an executable sent as a resume', () => submitFile(stack.baseUrl, elf, 'resume.pdf'), 415, 'unsupported_media_type'],
    ['malformed JSON', () => fetch(`${stack.baseUrl}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type": "email.send",' }), 400, 'malformed_json'],
    ['a JSON array body', () => fetch(`${stack.baseUrl}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' }), 422, 'validation_failed'],
    ['a JSON body for a file job', () => submitJson(stack.baseUrl, { type: 'resume.parse', input: {} }), 415, 'unsupported_media_type'],
    ['invalid email input', () => submitJson(stack.baseUrl, { type: 'email.send', input: { to: 'not-an-address', subject: 's', text: 't' } }), 422, 'validation_failed'],
    ['an unknown field', () => submitJson(stack.baseUrl, { type: 'email.send', input: {}, colour: 'red' }), 422, 'validation_failed'],
    ['a PDF sent as text/plain', () => fetch(`${stack.baseUrl}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: Buffer.from([0x25, 0x50, 0x44, 0x46, 0xff, 0xfe, 0x00, 0x81]) }), 415, 'unsupported_media_type'],
    ['an unsupported content type', () => fetch(`${stack.baseUrl}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<job/>' }), 415, 'unsupported_media_type'],
    ['two files in one form', () => {
      const form = formWith({ type: 'resume.parse' });
      form.append('file', new Blob(['Jane Doe']), 'a.txt');
      form.append('file', new Blob(['John Doe']), 'b.txt');
      return fetch(`${stack.baseUrl}/v1/jobs`, { method: 'POST', body: form });
    }, 400, 'validation_failed'],
    ['a gzip-compressed body', () => fetch(`${stack.baseUrl}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync('{"type":"noop","input":{}}') }), 415, 'unsupported_media_type'],
    ['a "__proto__" key', () => fetch(`${stack.baseUrl}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":"noop","input":{},"__proto__":{"admin":true}}' }), 400, 'malformed_json'],
    ['an unknown job id', () => fetch(`${stack.baseUrl}/v1/jobs/01234567-89ab-7def-8123-456789abcdef`), 404, 'not_found'],
    ['a malformed job id', () => fetch(`${stack.baseUrl}/v1/jobs/..%2F..%2Fetc`), 404, 'not_found'],
  ];

  it.each(cases)('%s', async (_name, send, status, code) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = await json(res);
    expect(problem).toMatchObject({ status, code });
    expect(problem.detail.length).toBeGreaterThan(10);
  });

  it('says a number field of a form is not a whole number, in plain words', async () => {
    for (const field of ['priority', 'max_attempts']) {
      const problem = await json(await submitFile(stack.baseUrl, Buffer.from(JANE_TXT), 'a.txt', { type: 'resume.parse', [field]: 'abc' }));
      expect(problem).toMatchObject({ status: 422, errors: [{ field, message: '"abc" is not a whole number' }] });
    }
  });

  it('says which content types it reads when a body has none it does', async () => {
    for (const headers of [{ 'content-type': 'application/xml' }, { 'content-type': 'application/octet-stream' }] as Array<Record<string, string>>) {
      const problem = await json(await fetch(`${stack.baseUrl}/v1/jobs`, { method: 'POST', headers, body: '<job/>' }));
      expect([headers, problem.detail]).toEqual([headers, expect.stringContaining('application/json, or a file as multipart/form-data')]);
    }
  });

  it('leaves nothing in storage for a rejected upload', async () => {
    const inputs = join(stack.env.STORAGE_DIR, 'inputs');
    const before = existsSync(inputs) ? readdirSync(inputs).length : 0;
    const rejected = await Promise.all([
      submitFile(stack.baseUrl, elf, 'a.pdf'),
      submitFile(stack.baseUrl, Buffer.alloc(0), 'a.pdf'),
      submitFile(stack.baseUrl, Buffer.alloc(UPLOAD_LIMIT + 1, 0x41), 'a.txt'),
      submitFile(stack.baseUrl, Buffer.from(JANE_TXT), 'a.txt', { type: 'nope' }),
      submitFile(stack.baseUrl, Buffer.from(JANE_TXT), 'a.txt', { type: 'email.send' }),
      submitFile(stack.baseUrl, Buffer.from(JANE_TXT), 'a.txt', { type: 'resume.parse', callback_url: 'ftp://example.com' }),
    ]);
    expect(rejected.map((r) => r.status)).toEqual([415, 422, 413, 422, 415, 422]);
    expect(existsSync(inputs) ? readdirSync(inputs).length : 0).toBe(before);
  });

  it('is still healthy and accepting work afterwards', async () => {
    expect((await fetch(`${stack.baseUrl}/health/ready`)).status).toBe(200);
    const res = await submitFile(stack.baseUrl, Buffer.from(JANE_TXT), 'jane.txt');
    expect(res.status).toBe(202);
    expect((await waitForEnd(stack.baseUrl, (await json(res)).id)).status).toBe('completed');
  });
});

describe('metrics and health on every app', () => {
  it('exports Prometheus metrics and readiness everywhere', async () => {
    for (const [name, port] of Object.entries(stack.ports)) {
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain(`app="${name}"`);
      expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
    }
    const tracker = await (await fetch(`http://127.0.0.1:${stack.ports['job-tracker']}/metrics`)).text();
    expect(tracker).toMatch(/jobdesk_jobs_submitted_total\{type="resume.parse",app="job-tracker"\} [1-9]/);
    expect(tracker).toMatch(/jobdesk_jobs_finished_total\{type="email.send",status="failed",app="job-tracker"\} [1-9]/);
  });
});

// The handed corpus lives outside the repository; score it only where it is present.
const CORPUS = join(__dirname, '../../../shared/corpus/resumes');
const EVAL = join(__dirname, '../../../shared/tools/resume-eval.mjs');
(existsSync(CORPUS) && existsSync(EVAL) ? describe : describe.skip)('the handed resume corpus', () => {
  it('runs every file without an HTTP error and scores well', async () => {
    const out = mkdtempSync(join(tmpdir(), 'jobdesk-pred-'));
    const timings = join(out, 'timings.json');
    const run = spawnSync(process.execPath, [EVAL, '--base', stack.baseUrl, '--corpus', CORPUS, '--out', out, '--no-score', '--timings', timings], { encoding: 'utf8', timeout: 110_000 });
    expect(run.status).toBe(0);
    const t = JSON.parse(readFileSync(timings, 'utf8'));
    const records: Array<{ file: string; status: string; error?: string }> = t.records;
    const errors = records.filter((r) => r.status === 'error' || r.status === 'timeout');
    expect(errors).toEqual([]);
    const score = spawnSync(process.execPath, [join(EVAL, '../resume-score.mjs'), '--truth', CORPUS, '--pred', out, '--json'], { encoding: 'utf8' });
    const overall = JSON.parse(score.stdout).overall.f1;
    console.log(`corpus micro-F1: ${overall.toFixed(3)}`);
    expect(overall).toBeGreaterThan(0.93);
  });
});

function formWith(fields: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  return f;
}
