import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser, ParsedMail } from 'mailparser';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A customer's webhook endpoint: records every POST; answers with `status()` (200 by default). */
export async function startWebhookReceiver(status: () => number = () => 200) {
  const received: ReceivedWebhook[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(status()).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/**
 * A real SMTP server (smtp-server). Recipients starting with `tempfail` get 451 (try again
 * later), `permfail` 550 (no such user); everything else is accepted and parsed.
 */
export async function startSmtpServer() {
  const messages: ParsedMail[] = [];
  const rcptAttempts: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, cb) {
      rcptAttempts.push(address.address);
      if (address.address.startsWith('tempfail')) return cb(Object.assign(new Error('4.2.1 mailbox busy, try later'), { responseCode: 451 }));
      if (address.address.startsWith('permfail')) return cb(Object.assign(new Error('5.1.1 no such user here'), { responseCode: 550 }));
      cb();
    },
    onData(stream, _session, cb) {
      simpleParser(stream).then((m) => {
        messages.push(m);
        cb();
      }, cb);
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, messages, rcptAttempts, close: () => new Promise<void>((r) => server.close(() => r())) };
}
