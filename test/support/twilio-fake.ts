import { createServer, IncomingHttpHeaders } from 'node:http';
import { AddressInfo } from 'node:net';
import { twilioSignature } from '../../apps/job-tracker/src/sms/twilio-signature';

export interface TwilioRequest {
  path: string;
  headers: IncomingHttpHeaders;
  form: Record<string, string>;
}

/**
 * Stands in for Twilio (which tests cannot reach), speaking its REST shape: POST
 * /2010-04-01/Accounts/{sid}/Messages.json with form fields, basic auth; answers 201 with a
 * message resource. Numbers listed in `busyFor` get 429 that many times first; numbers in
 * `failWith` get those statuses (e.g. [500, 429]) first, one per request.
 */
export async function startTwilioFake(busyFor: Map<string, number> = new Map(), failWith: Map<string, number[]> = new Map()) {
  const requests: TwilioRequest[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(raw));
      requests.push({ path: req.url ?? '', headers: req.headers, form });
      const status = failWith.get(form.To)?.shift();
      if (status) {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 20500, message: `failing with ${status} as told`, status }));
        return;
      }
      const left = busyFor.get(form.To) ?? 0;
      if (left > 0) {
        busyFor.set(form.To, left - 1);
        res.writeHead(429, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 20429, message: 'Too Many Requests', status: 429 }));
        return;
      }
      // Twilio's magic test number for "invalid", and anything not E.164.
      if (form.To === '+15005550001' || !/^\+\d{8,15}$/.test(form.To ?? '')) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 21211, message: `The 'To' number ${form.To} is not a valid phone number.`, status: 400 }));
        return;
      }
      const sid = `SM${requests.length.toString().padStart(32, '0')}`;
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sid, status: 'queued', to: form.To, from: form.From, body: form.Body }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/**
 * Posts an inbound message to jobdesk as Twilio does: form-encoded, signed with `authToken` over
 * `signedUrl` (the public URL Twilio was given; the URL posted to unless a proxy is in between).
 */
export async function postInboundSms(url: string, authToken: string, fields: Record<string, string>, signedUrl = url): Promise<Response> {
  const params = Object.entries(fields);
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(authToken, signedUrl, params), 'i-twilio-idempotency-token': fields.MessageSid ?? '' },
    body: new URLSearchParams(params).toString(),
  });
}
