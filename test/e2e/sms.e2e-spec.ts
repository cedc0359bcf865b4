import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { startStack, Stack } from '../support/stack';
import { startSmtpServer, startWebhookReceiver } from '../support/receivers';
import { postInboundSms, startTwilioFake } from '../support/twilio-fake';
import { twilioSignature } from '../../apps/job-tracker/src/sms/twilio-signature';
import { json, submitJson, until, waitForEnd } from '../support/http';

jest.setTimeout(180_000);

const TOKEN = 'tenant-twilio-token-0123';
const ACCOUNT_TOKEN = 'sms-token';
const SHOP_NUMBER = '+14155550100';
const ONCALL = '+14155550911';
const FLAKY_500 = '+14155550513';
const FLAKY_429 = '+14155550514';

let stack: Stack;
let twilio: Awaited<ReturnType<typeof startTwilioFake>>;
let hooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let shop: Server;
const shopRequests: string[] = [];
let inboundUrl: string;
let phoneSeq = 0;
/** A fresh number per test, so tests do not see each other's conversations. */
const phone = () => `+1415555${String(2000 + ++phoneSeq).padStart(4, '0')}`;

/** A customer's order API: 12345 is shipped, anything else is unknown. */
async function startShop(): Promise<Server> {
  const server = createServer((req, res) => {
    shopRequests.push(req.url ?? '');
    const m = /^\/orders\/([^/?]+)$/.exec(req.url ?? '');
    if (m && decodeURIComponent(m[1]) === '12345') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: '12345', status: 'shipped, arriving Thursday' }));
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

beforeAll(async () => {
  twilio = await startTwilioFake(new Map(), new Map([[FLAKY_500, [500]], [FLAKY_429, [429]]]));
  hooks = await startWebhookReceiver();
  smtp = await startSmtpServer();
  shop = await startShop();
  stack = await startStack({
    AUTH_REQUIRED: 'false',
    SMS_BASE_URL: twilio.url,
    SMS_ACCOUNT_SID: 'AC00000000000000000000000000000009',
    SMS_AUTH_TOKEN: ACCOUNT_TOKEN,
    SMS_FROM: '+14155550199',
    SMTP_URL: smtp.url,
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  });
  inboundUrl = `${stack.baseUrl}/v1/inbound/sms/default`;
  const shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
  const res = await fetch(`${stack.baseUrl}/v1/sms/config`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      rules: [
        { action: 'escalate', words: ['emergency', 'fire', 'gas leak'], oncall: { webhook: `${hooks.url}/oncall`, email: 'oncall@example.com', sms: ONCALL } },
        { action: 'confirm' },
        { action: 'coupon', keyword: 'SAVE10', campaign: 'spring', supply: 2, valid_days: 7 },
        { action: 'track', url: `${shopUrl}/orders/{order}` },
        { action: 'feedback' },
        { action: 'rsvp', event: { id: 'gala', name: 'the gala' } },
        { action: 'support' },
      ],
      help_text: 'Tea & Co: text us anything. STOP to unsubscribe.',
      auth_token: TOKEN,
    }),
  });
  expect(res.status).toBe(200);
  expect(await json(res)).toMatchObject({ configured: true, auth_token_set: true });
});

afterAll(async () => {
  await stack?.stop();
  await twilio?.close();
  await hooks?.close();
  await smtp?.close();
  await new Promise((r) => shop?.close(r));
});

function dumpLogs(err: unknown): never {
  const tail = Object.entries(stack.logs).map(([n, l]) => `--- ${n}\n${l.join('').split('\n').slice(-15).join('\n')}`).join('\n');
  throw new Error(`${(err as Error).message}\n${tail}`);
}

const sid = () => `SM${randomBytes(16).toString('hex')}`;
const fields = (from: string, body: string, messageSid = sid()) => ({
  MessageSid: messageSid, SmsSid: messageSid, AccountSid: 'AC00000000000000000000000000000009', From: from, To: SHOP_NUMBER, Body: body, NumMedia: '0', ApiVersion: '2010-04-01',
});

async function inboundJobs(messageSid: string): Promise<any[]> {
  return (await json(await fetch(`${stack.baseUrl}/v1/jobs?type=sms.inbound&metadata.message_sid=${messageSid}`))).data;
}

/**
 * Texts the shop as Twilio would. First the same message badly signed (another token): 403,
 * and no job; then signed: empty TwiML at once. Resolves with the handled `sms.inbound` job.
 */
async function text(from: string, body: string, messageSid = sid()): Promise<any> {
  const f = fields(from, body, messageSid);
  const forged = await postInboundSms(inboundUrl, 'not-the-token', f);
  expect(forged.status).toBe(403);
  expect(forged.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const res = await postInboundSms(inboundUrl, TOKEN, f);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
  expect(await res.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  const [job] = await inboundJobs(messageSid);
  return waitForEnd(stack.baseUrl, job.id, 30_000).catch(dumpLogs);
}

const sentTo = (to: string) => twilio.requests.filter((r) => r.form.To === to);
/** The n-th text the fake Twilio received for a number (1-based), once it has. */
const nthTo = (to: string, n = 1) => until(() => sentTo(to)[n - 1], 30_000).catch(dumpLogs);
const conversation = async (p: string) => json(await fetch(`${stack.baseUrl}/v1/sms/conversations/${encodeURIComponent(p)}`));
const result = async (jobId: string) => json(await fetch(`${stack.baseUrl}/v1/jobs/${jobId}/result`));

describe('the inbound webhook', () => {
  it('refuses what Twilio did not sign for this tenant with 403 and makes no job', async () => {
    const f = fields(phone(), 'hello');
    const unsigned = await fetch(inboundUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(f).toString() });
    const accountToken = await postInboundSms(inboundUrl, ACCOUNT_TOKEN, f); // the tenant has its own token
    const otherUrl = await postInboundSms(inboundUrl, TOKEN, f, 'https://internal.example:3000/v1/inbound/sms/default');
    const otherTenant = await postInboundSms(`${stack.baseUrl}/v1/inbound/sms/globex`, TOKEN, f);
    const tampered = await fetch(inboundUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(TOKEN, inboundUrl, Object.entries(f)) },
      body: new URLSearchParams({ ...f, Body: 'STOP' }).toString(),
    });
    for (const res of [unsigned, accountToken, otherUrl, otherTenant, tampered]) {
      expect(res.status).toBe(403);
      expect((await json(res)).code).toBe('forbidden');
    }
    expect(await inboundJobs(f.MessageSid)).toEqual([]);
  });

  it('is the only way to make an sms.inbound job: POST /v1/jobs answers 422 unknown_job_type and opts nobody out', async () => {
    const from = phone();
    const forged = { type: 'sms.inbound', input: { from, to: SHOP_NUMBER, body: 'STOP', message_sid: sid() } };
    const form = new FormData();
    form.append('type', 'sms.inbound');
    form.append('file', new Blob(['STOP']), 'stop.txt');
    const answers = [
      await submitJson(stack.baseUrl, forged),
      await submitJson(stack.baseUrl, forged, '/job'),
      await fetch(`${stack.baseUrl}/v1/jobs`, { method: 'POST', body: form }),
    ];
    for (const res of answers) {
      expect(res.status).toBe(422);
      const problem = await json(res);
      expect(problem.code).toBe('unknown_job_type');
      expect(problem.detail).toContain('sms.confirm-request');
      expect(problem.detail.split('; one of: ')[1]).not.toContain('sms.inbound');
    }
    expect((await json(await fetch(`${stack.baseUrl}/v1/jobs?type=sms.inbound&metadata.sms_peer=${encodeURIComponent(from)}`))).data).toEqual([]);
    expect((await conversation(from)).opted_out).toBe(false);
  });

  it("accepts a tenant without an SMS config when signed with SMS_AUTH_TOKEN, and only for that tenant", async () => {
    const from = phone();
    const f = fields(from, 'STOP');
    const res = await postInboundSms(`${stack.baseUrl}/v1/inbound/sms/globex`, ACCOUNT_TOKEN, f);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(await inboundJobs(f.MessageSid)).toEqual([]); // the job is globex's, not this tenant's
    expect((await conversation(from)).opted_out).toBe(false);
  });

  it('names the field of an oversized text, not an internal path', async () => {
    const f = fields(phone(), 'x'.repeat(20_000));
    const res = await postInboundSms(inboundUrl, TOKEN, f);
    expect(res.status).toBe(400);
    const problem = await json(res);
    expect(problem.code).toBe('validation_failed');
    expect(problem.detail).toMatch(/^Body longer than 4096 characters/);
    expect(await inboundJobs(f.MessageSid)).toEqual([]);
  });

  it('handles the same MessageSid delivered twice once: one job, one reply', async () => {
    const from = phone();
    const messageSid = sid();
    const first = await text(from, '4 stars', messageSid);
    const again = await postInboundSms(inboundUrl, TOKEN, fields(from, '4 stars', messageSid));
    expect(again.status).toBe(200);
    expect(await inboundJobs(messageSid)).toHaveLength(1);
    const { reply_job_id } = await result(first.id);
    await waitForEnd(stack.baseUrl, reply_job_id);
    const replies = (await json(await fetch(`${stack.baseUrl}/v1/jobs?type=sms.send&metadata.sms_peer=${encodeURIComponent(from)}`))).data;
    expect(replies.map((j: { id: string }) => j.id)).toEqual([reply_job_id]);
    expect(sentTo(from)).toHaveLength(1);
    expect((await conversation(from)).feedback).toHaveLength(1);
  });

  it('answers a 422 problem for a signed request that is not an inbound message', async () => {
    const f = { ...fields(phone(), 'x'), From: 'not-a-number' };
    const res = await postInboundSms(inboundUrl, TOKEN, f);
    expect(res.status).toBe(422);
    expect((await json(res)).code).toBe('validation_failed');
  });
});

describe('confirm', () => {
  it('texts the question, and "Yes please" confirms it', async () => {
    const to = phone();
    const res = await submitJson(stack.baseUrl, { type: 'sms.confirm-request', input: { to, question: 'Your appointment is Tue 3pm.', expires_in_s: 3600 } });
    expect(res.status).toBe(202);
    const request = await waitForEnd(stack.baseUrl, (await json(res)).id);
    expect(request.status).toBe('completed');
    const question = await nthTo(to);
    expect(question.form).toMatchObject({ From: '+14155550199', Body: 'Your appointment is Tue 3pm.\nReply YES to confirm or NO to cancel.' });
    const job = await text(to, 'Yes please');
    expect((await result(job.id)).action).toBe('confirm');
    expect((await nthTo(to, 2)).form).toMatchObject({ Body: 'Confirmed: Your appointment is Tue 3pm. Thank you!', From: SHOP_NUMBER });
    expect((await conversation(to)).confirmations).toEqual([expect.objectContaining({ id: request.id, status: 'confirmed' })]);
  });

  it('"no thanks" answers the latest open request; CANCEL then answers the one before (not an opt-out)', async () => {
    const to = phone();
    const ask = async (question: string) => waitForEnd(stack.baseUrl, (await json(await submitJson(stack.baseUrl, { type: 'sms.confirm-request', input: { to, question } }))).id);
    const first = await ask('Table for 2 at 7pm?');
    const second = await ask('Table for 4 at 8pm?');
    await text(to, 'no thanks');
    expect((await nthTo(to, 3)).form.Body).toBe('Cancelled: Table for 4 at 8pm? Thanks for letting us know.');
    await text(to, 'CANCEL');
    expect((await nthTo(to, 4)).form.Body).toBe('Cancelled: Table for 2 at 7pm? Thanks for letting us know.');
    const view = await conversation(to);
    expect(Object.fromEntries(view.confirmations.map((c: { id: string; status: string }) => [c.id, c.status]))).toEqual({ [first.id]: 'declined', [second.id]: 'declined' });
    expect(view.opted_out).toBe(false);
  });
});

describe('rsvp', () => {
  it('"me and 2 others" counts three; "can\'t make it" changes it to not coming', async () => {
    const from = phone();
    await text(from, 'me and 2 others');
    expect((await nthTo(from)).form.Body).toBe('Thanks! We have you down for the gala: 3 people.');
    expect((await conversation(from)).rsvps).toEqual([expect.objectContaining({ event_id: 'gala', attending: true, head_count: 3 })]);
    await text(from, "can't make it");
    expect((await nthTo(from, 2)).form.Body).toBe("Sorry you can't make it to the gala. Thanks for letting us know.");
    expect((await conversation(from)).rsvps).toEqual([expect.objectContaining({ attending: false, head_count: 0 })]);
  });
});

describe('coupon', () => {
  it('gives each phone one code, the same one when asked again, until the supply is gone', async () => {
    const [a, b, c] = [phone(), phone(), phone()];
    await text(a, 'SAVE10');
    const codeA = /Your code: (SAVE10-[0-9A-Z]{8})/.exec((await nthTo(a)).form.Body)?.[1];
    expect(codeA).toBeDefined();
    await text(a, 'save10 please');
    expect((await nthTo(a, 2)).form.Body).toContain(codeA);
    await text(b, 'SAVE10');
    const codeB = /Your code: (SAVE10-[0-9A-Z]{8})/.exec((await nthTo(b)).form.Body)?.[1];
    expect(codeB).toBeDefined();
    expect(codeB).not.toBe(codeA);
    await text(c, 'SAVE10');
    expect((await nthTo(c)).form.Body).toBe('Sorry, all spring codes have been claimed.');
    expect((await conversation(a)).coupons).toEqual([expect.objectContaining({ campaign: 'spring', code: codeA })]);
  });
});

describe('track', () => {
  it('looks the order up at the tenant\'s endpoint and replies with its status', async () => {
    const from = phone();
    await text(from, 'where is my order 12345');
    expect((await nthTo(from)).form.Body).toBe('Order 12345: shipped, arriving Thursday');
    expect(shopRequests).toContain('/orders/12345');
    await text(from, 'order #A-99999');
    expect((await nthTo(from, 2)).form.Body).toBe('We could not find order A-99999. Please check the number.');
  });
});

describe('feedback', () => {
  it('stores the rating and the comment for review', async () => {
    const from = phone();
    await text(from, '4 stars great service');
    expect((await nthTo(from)).form.Body).toBe('Thanks for your feedback!');
    expect((await conversation(from)).feedback).toEqual([expect.objectContaining({ rating: 4, comment: 'great service' })]);
  });
});

describe('support', () => {
  it('opens a ticket, says someone will answer, and sends the answer given through the API', async () => {
    const from = phone();
    await text(from, 'my bill looks wrong');
    expect((await nthTo(from)).form.Body).toBe('Thanks for your message. Someone from our team will answer you here shortly.');
    const [ticket] = (await conversation(from)).tickets;
    expect(ticket).toMatchObject({ status: 'open' });
    // A follow-up in the open ticket gets no second automatic answer.
    await text(from, 'hello??');
    expect((await conversation(from)).messages.filter((m: { direction: string }) => m.direction === 'out')).toHaveLength(1);

    const res = await submitJson(stack.baseUrl, { body: 'We refunded the double charge.' }, `/v1/sms/tickets/${ticket.id}/reply`);
    expect(res.status).toBe(202);
    const job = await json(res);
    expect(job).toMatchObject({ type: 'sms.send', metadata: { ticket_id: ticket.id } });
    expect((await nthTo(from, 2)).form).toMatchObject({ Body: 'We refunded the double charge.', From: SHOP_NUMBER });
    expect((await conversation(from)).tickets[0]).toMatchObject({ id: ticket.id, status: 'answered' });
    const unknown = await submitJson(stack.baseUrl, { body: 'x' }, '/v1/sms/tickets/00000000-0000-4000-8000-000000000000/reply');
    expect(unknown.status).toBe(404);
    const empty = await submitJson(stack.baseUrl, { body: '' }, `/v1/sms/tickets/${ticket.id}/reply`);
    expect(empty.status).toBe(422);
  });
});

describe('escalate', () => {
  it('tells the on-call webhook, email and phone at once, and the sender that it was escalated', async () => {
    const from = phone();
    const job = await text(from, 'EMERGENCY: water is pouring through the ceiling');
    const hook = await until(() => hooks.received.find((h) => h.path === '/oncall' && JSON.parse(h.body).data.job_id === job.id), 30_000);
    expect(JSON.parse(hook.body)).toMatchObject({ type: 'sms.escalated', data: { from, to: SHOP_NUMBER, body: 'EMERGENCY: water is pouring through the ceiling', words: ['emergency'] } });
    expect(hook.headers['webhook-signature']).toMatch(/^v1,/);
    const mail = await until(() => smtp.messages.find((m) => m.text?.includes(from)), 30_000);
    expect(mail.subject).toBe(`URGENT: text from ${from}`);
    expect((await nthTo(ONCALL)).form.Body).toContain('water is pouring through the ceiling');
    expect((await nthTo(from)).form.Body).toMatch(/^Your message has been passed to our on-call team/);
    const deliveries = await until(async () => {
      const d = (await json(await fetch(`${stack.baseUrl}/v1/jobs/${job.id}/deliveries`))).data;
      return d.length ? d : undefined;
    }, 30_000);
    expect(deliveries[0]).toMatchObject({ outcome: 'delivered', url: `${hooks.url}/oncall` });
  });
});

describe('STOP, START, HELP', () => {
  it('answers HELP, sends nothing after STOP by any path, and again after START', async () => {
    const from = phone();
    await text(from, 'HELP');
    expect((await nthTo(from)).form.Body).toBe('Tea & Co: text us anything. STOP to unsubscribe.');
    await text(from, 'STOP');
    expect((await conversation(from)).opted_out).toBe(true);

    const direct = await waitForEnd(stack.baseUrl, (await json(await submitJson(stack.baseUrl, { type: 'sms.send', input: { to: from, body: 'Big sale today!' } }))).id);
    expect(direct).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'sms_opted_out' } });
    const parent = await json(await submitJson(stack.baseUrl, { type: 'noop', input: {}, notify: { sms: from } }));
    const child = await until(async () => (await json(await fetch(`${stack.baseUrl}/v1/jobs?metadata.notification_for=${parent.id}`))).data[0], 30_000);
    expect(await waitForEnd(stack.baseUrl, child.id)).toMatchObject({ status: 'failed', error: { code: 'sms_opted_out' } });
    const ignored = await text(from, '5 stars');
    expect(await result(ignored.id)).toMatchObject({ action: 'feedback', reply_job_id: null, reply_suppressed: true });
    expect(sentTo(from)).toHaveLength(1);

    await text(from, 'START');
    expect((await nthTo(from, 2)).form.Body).toBe('You are subscribed again. Reply HELP for help, STOP to unsubscribe.');
    expect((await conversation(from)).opted_out).toBe(false);
  });
});

describe('replies that fail', () => {
  it.each([
    ['500', FLAKY_500],
    ['429', FLAKY_429],
  ])('are retried when the provider answers %s', async (_status, from) => {
    const job = await text(from, '5');
    const reply = await waitForEnd(stack.baseUrl, (await result(job.id)).reply_job_id);
    expect(reply).toMatchObject({ status: 'completed', attempts: 2 });
    expect(sentTo(from).map((r) => r.form.Body)).toEqual(['Thanks for your feedback!', 'Thanks for your feedback!']);
  });
});

describe('the conversation view', () => {
  it('lists texts in and out with their jobs, statuses and the rule that took each', async () => {
    const from = phone();
    const inbound = await text(from, 'TRACK 12345');
    await nthTo(from);
    const reply = (await result(inbound.id)).reply_job_id;
    await waitForEnd(stack.baseUrl, reply);
    const view = await conversation(from);
    expect(view.messages).toEqual([
      expect.objectContaining({ job_id: inbound.id, direction: 'in', body: 'TRACK 12345', status: 'completed', action: 'track' }),
      expect.objectContaining({ job_id: reply, direction: 'out', body: 'Order 12345: shipped, arriving Thursday', status: 'completed', action: null }),
    ]);
    const res = await fetch(`${stack.baseUrl}/v1/sms/conversations/not-a-number`);
    expect(res.status).toBe(404);
  });

  it('refuses invalid rules with 422 and the field at fault', async () => {
    const res = await fetch(`${stack.baseUrl}/v1/sms/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules: [{ action: 'coupon', keyword: 'SAVE 10', campaign: 'x', supply: 0 }] }) });
    expect(res.status).toBe(422);
    const body = await json(res);
    expect(body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['rules.0.keyword', 'rules.0.supply']));
  });
});
