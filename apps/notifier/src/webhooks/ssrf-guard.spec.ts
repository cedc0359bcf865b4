import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { parseConfig } from '@jobdesk/config';
import { FetchWebhookClient } from './webhook-sender';
import { BlockedAddressError, SsrfGuard } from './ssrf-guard';

const SECRET = 'whsec_' + Buffer.from('ssrf-test').toString('base64');

describe('webhook SSRF guard', () => {
  let server: Server;
  let port: number;
  let hits = 0;
  let client: FetchWebhookClient;

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++;
      if (req.url === '/redirect') res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      else res.writeHead(200).end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '::', r));
    port = (server.address() as AddressInfo).port;
    client = new FetchWebhookClient(parseConfig({ WEBHOOK_TIMEOUT_MS: '2000' }));
  });
  afterAll(async () => {
    await client.onApplicationShutdown();
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => (hits = 0));

  it('refuses a URL every time it is checked, not only the first (verdicts are remembered)', () => {
    const guard = new SsrfGuard('');
    const urls = ['http://127.0.0.1/h', 'ftp://example.com/h', 'https://user:pw@example.com/h'];

    for (const url of urls) {
      expect(() => guard.checkUrl(url)).toThrow(BlockedAddressError);
      expect(() => guard.checkUrl(url)).toThrow(BlockedAddressError);
    }
    expect(() => guard.checkUrl('https://example.com/h')).not.toThrow();
    expect(() => guard.checkUrl('https://example.com/h')).not.toThrow();
  });

  const send = (url: string) => client.send({ messageId: 'msg_1', tenant: 't', jobId: 'j', url, body: '{}' }, [SECRET]);

  // Hosts that reach this machine's loopback server if the guard let them through.
  const loopback = [
    '127.0.0.1', '127.1', '127.0.0.2', '2130706433', '0x7f000001', '0x7f.0.0.1', '017700000001', '0177.0.0.1',
    '[::1]', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[0:0:0:0:0:ffff:127.0.0.1]', 'localhost', '0.0.0.0', '[::]',
  ];
  it.each(loopback)('refuses %s without connecting', async (host) => {
    const out = await send(`http://${host}:${port}/hook`);
    expect(out.ok).toBe(false);
    expect(out.final).toBe(true);
    expect(out.error).toMatch(/refused/);
    expect(hits).toBe(0);
  });

  // Private and special ranges: refused before any connection attempt (so no timeout either).
  const elsewhere = [
    '10.0.0.1', '10.255.255.254', '172.16.0.1', '172.31.255.1', '192.168.1.1', '169.254.169.254', '169.254.0.1',
    '100.64.0.1', '198.18.0.1', '224.0.0.1', '255.255.255.255', '[fd00::1]', '[fc00::1]', '[fe80::1]', '[ff02::1]',
    '[::ffff:10.0.0.1]', '[::ffff:a9fe:a9fe]', '[64:ff9b::a9fe:a9fe]', '[2001:db8::1]', '167772161', '0xa9fea9fe',
  ];
  it.each(elsewhere)('refuses %s at once', async (host) => {
    const out = await send(`http://${host}/hook`);
    // `refused` is the guard's own verdict, given before connecting (a connection attempt to these
    // unreachable addresses would have ended in a timeout or network error instead).
    expect(out).toMatchObject({ ok: false, final: true });
    expect(out.error).toMatch(/^refused: /);
  });

  it('refuses non-http schemes and credentials in the URL', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.com/x', `http://user:pw@example.com/`]) {
      expect(await send(url)).toMatchObject({ ok: false, final: true });
    }
  });

  it('does not follow a redirect to an internal address', async () => {
    const allowed = new FetchWebhookClient(parseConfig({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' }));
    const out = await allowed.send({ messageId: 'm', tenant: 't', jobId: 'j', url: `http://127.0.0.1:${port}/redirect`, body: '{}' }, [SECRET]);
    await allowed.onApplicationShutdown();
    expect(out).toMatchObject({ ok: false, final: false, status: 302 });
    expect(hits).toBe(1);
  });

  it('lets allow-listed private receivers through, by host or CIDR', async () => {
    for (const allow of ['127.0.0.1', '127.0.0.0/8', 'localhost']) {
      const c = new FetchWebhookClient(parseConfig({ WEBHOOK_ALLOWED_HOSTS: allow }));
      const host = allow === 'localhost' ? 'localhost' : '127.0.0.1';
      const out = await c.send({ messageId: 'm', tenant: 't', jobId: 'j', url: `http://${host}:${port}/hook`, body: '{}' }, [SECRET]);
      await c.onApplicationShutdown();
      expect([allow, out.ok]).toEqual([allow, true]);
    }
  });
});
