import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser, ParsedMail } from 'mailparser';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/**
 * A gate a receiver waits on while "paused" (like a SIGSTOPped process: connections are taken
 * by the kernel, nothing is read or answered until it goes on).
 */
function pauseGate() {
  let gate: Promise<void> | undefined;
  let open: () => void = () => undefined;
  return {
    wait: () => gate ?? Promise.resolve(),
    pause: () => {
      gate ??= new Promise<void>((r) => (open = r));
    },
    resume: () => {
      gate = undefined;
      open();
    },
  };
}

/**
 * A customer's webhook endpoint: records every POST; answers with `status(path)` (200 by
 * default). `pause()` stops it from reading or answering until `resume()`.
 */
export async function startWebhookReceiver(status: (path: string) => number = () => 200) {
  const received: ReceivedWebhook[] = [];
  const gate = pauseGate();
  const server: Server = createServer((req, res) => {
    void gate.wait().then(() => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('error', () => undefined);
      req.on('end', () => {
        const path = req.url ?? '/';
        received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
        if (!res.destroyed) res.writeHead(status(path)).end();
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    pause: gate.pause,
    resume: gate.resume,
    close: () => {
      gate.resume();
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * A real SMTP server (smtp-server). Recipients starting with `tempfail` get 451 (try again
 * later), `permfail` 550 (no such user); everything else is accepted and parsed.
 */
export async function startSmtpServer() {
  const messages: ParsedMail[] = [];
  const rcptAttempts: string[] = [];
  const gate = pauseGate();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onMailFrom(_address, _session, cb) {
      void gate.wait().then(() => cb());
    },
    onRcptTo(address, _session, cb) {
      rcptAttempts.push(address.address);
      if (address.address.startsWith('tempfail')) return cb(Object.assign(new Error('4.2.1 mailbox busy, try later'), { responseCode: 451 }));
      if (address.address.startsWith('permfail')) return cb(Object.assign(new Error('5.1.1 no such user here'), { responseCode: 550 }));
      cb();
    },
    onData(stream, _session, cb) {
      simpleParser(stream).then(async (m) => {
        await gate.wait();
        messages.push(m);
        cb();
      }, cb);
    },
  });
  // A client that dies mid-session (a killed worker) resets its socket: not the test's failure.
  server.on('error', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    rcptAttempts,
    /** Stops taking mail (sessions hang) until resume(). */
    pause: gate.pause,
    resume: gate.resume,
    close: () => {
      gate.resume();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
