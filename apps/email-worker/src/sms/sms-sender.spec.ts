import { createServer } from 'node:net';
import { parseConfig } from '@jobdesk/config';
import { TwilioSmsSender } from './sms-sender';

const sender = (base: string) =>
  new TwilioSmsSender({ ...parseConfig({}), SMS_BASE_URL: base, SMS_ACCOUNT_SID: 'AC1', SMS_AUTH_TOKEN: 't', SMS_FROM: '+14155550100', SMS_TIMEOUT_MS: 2000 });

/** A port nothing listens on: taken, then closed. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

describe('TwilioSmsSender when the request never reaches the provider', () => {
  it('does not retry a request fetch will never make, and says why (a port the Fetch standard forbids)', async () => {
    const r = await sender('http://127.0.0.1:4190').send('+14155550123', 'hi');
    expect(r).toMatchObject({ ok: false, retryable: false });
    expect(r.error).toContain('bad port');
  });

  it('retries a refused connection, naming the error', async () => {
    const r = await sender(`http://127.0.0.1:${await closedPort()}`).send('+14155550123', 'hi');
    expect(r).toMatchObject({ ok: false, retryable: true });
    expect(r.error).toMatch(/^ECONNREFUSED/);
  });
});
