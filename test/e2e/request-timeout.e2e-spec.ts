import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { startStack, Stack } from '../support/stack';
import { json, until } from '../support/http';
import { readSse } from '../support/sse';

jest.setTimeout(120_000);

/** Short, so a stalled request is cut within the test; Node checks connections every 150 ms then. */
const REQUEST_TIMEOUT_MS = 1_500;

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ AUTH_REQUIRED: 'false', REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS), SMTP_URL: 'smtp://127.0.0.1:9' });
});
afterAll(() => stack?.stop());

/**
 * Sends the head of a multipart upload that announces `declared` bytes and `sent` bytes of its
 * body, then nothing more; resolves with what the gateway answered once it closes the socket.
 */
function stalledUpload(declared: number, sent: number): Promise<{ reply: string; ms: number }> {
  const boundary = 'stalled-upload';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="type"\r\n\r\nresume.parse\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cv.txt"\r\nContent-Type: text/plain\r\n\r\n`;
  const body = Buffer.concat([Buffer.from(head), Buffer.alloc(Math.max(0, sent - head.length), 'Jane Q Doe\n')]);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const chunks: Buffer[] = [];
    const socket = connect(stack.ports.gateway, '127.0.0.1', () => {
      socket.write(`POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${declared}\r\n\r\n`);
      socket.write(body);
    });
    socket.on('data', (d) => chunks.push(d));
    // The gateway may reset rather than end the connection after its answer: what came is what counts.
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ reply: Buffer.concat(chunks).toString(), ms: Date.now() - started }));
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`the gateway still held the stalled upload after 20 s; it sent: ${Buffer.concat(chunks).toString().slice(0, 200)}`));
    }, 20_000).unref();
  });
}

const storedFiles = () => (readdirSync(stack.env.STORAGE_DIR, { recursive: true, withFileTypes: true }) as Array<{ isFile(): boolean; name: string }>).filter((e) => e.isFile()).map((e) => e.name);

describe('a request not received in time', () => {
  it('answers 408 problem+json and closes the connection of an upload that stalls after ~100 bytes', async () => {
    const { reply, ms } = await stalledUpload(100_000, 100);
    expect(reply).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(reply).toMatch(/\r\nContent-Type: application\/problem\+json\r\n/i);
    expect(reply).toMatch(/\r\nConnection: close\r\n/i);
    expect(JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 408, code: 'request_timeout' });
    // Not before the limit; well before Node's default check interval of 30 s would allow.
    expect(ms).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
    expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS + 2_500);
  });

  it('leaves no file and no job behind from an upload cut mid-file', async () => {
    // Past 1 MiB the storage writes the file as it streams in: there is a partial file to remove.
    const { reply } = await stalledUpload(3 * 1024 * 1024, 1536 * 1024);
    expect(reply).toMatch(/^HTTP\/1\.1 408 /);
    await until(() => storedFiles().length === 0 || undefined, 5_000).catch(() => undefined);
    expect(storedFiles()).toEqual([]);
    const list = await json(await fetch(`${stack.baseUrl}/v1/jobs?type=resume.parse`));
    expect(list.data).toEqual([]);
  });
});

describe('a response that lasts longer than the request timeout', () => {
  it('keeps an SSE stream open and sends a change that comes after the limit', async () => {
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const created = await fetch(`${stack.baseUrl}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'email.send', input: { to: 'x@example.com', subject: 's', text: 't' }, run_at: later }),
    });
    const { id } = await json(created);
    const opened = Date.now();
    const stream = readSse(`${stack.baseUrl}/v1/jobs/${id}/events`, {}, { until: (e) => e.data.status === 'canceled', timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 2 * REQUEST_TIMEOUT_MS + 500));
    expect((await fetch(`${stack.baseUrl}/v1/jobs/${id}`, { method: 'DELETE' })).status).toBe(200);
    const { status, events } = await stream;
    expect(status).toBe(200);
    expect(events.map((e) => e.data.status)).toEqual(['queued', 'canceled']);
    expect(Date.now() - opened).toBeGreaterThan(2 * REQUEST_TIMEOUT_MS);
  });
});
