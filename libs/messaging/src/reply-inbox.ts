import { createInbox, Msg, MsgHdrs, NatsConnection, Subscription } from 'nats';

const SWEEP_EVERY_MS = 100;

interface Pending {
  subject: string;
  timeoutMs: number;
  deadline: number;
  resolve: (m: Msg) => void;
  reject: (e: Error) => void;
}

/**
 * Request-reply over one inbox subscription of ours: a request is a plain publish whose reply
 * subject is `<inbox>.<token>`, and the answer is matched by its token. What `nc.request()` does,
 * without its per-request object, timer and deferred, nor the Error it builds to cancel every
 * answered request (together several per cent of a busy gateway's or worker's CPU). One sweep
 * every 100 ms fails the requests whose time is up.
 */
export class ReplyInbox {
  private readonly inbox = createInbox();
  private readonly pending = new Map<string, Pending>();
  private readonly sub: Subscription;
  private next = 0;

  constructor(private readonly nc: NatsConnection) {
    this.sub = nc.subscribe(`${this.inbox}.*`, { callback: (_err, m) => this.settle(m) });
    void this.sub.closed.then(() => this.failAll('the NATS connection closed before the reply came'));
    // Unref'd: it never keeps a process alive; it lives as long as the process.
    setInterval(() => this.expire(), SWEEP_EVERY_MS).unref();
  }

  /** Resolves with the reply; rejects when nobody listens on `subject` (no responders) or after `timeoutMs`. */
  request(subject: string, data: string | Uint8Array, opts: { timeoutMs: number; headers?: MsgHdrs }): Promise<Msg> {
    return new Promise<Msg>((resolve, reject) => {
      const token = (this.next++).toString(36);
      this.pending.set(token, { subject, timeoutMs: opts.timeoutMs, deadline: Date.now() + opts.timeoutMs, resolve, reject });
      try {
        this.nc.publish(subject, data, { reply: `${this.inbox}.${token}`, headers: opts.headers });
      } catch (e) {
        this.pending.delete(token);
        reject(e as Error);
      }
    });
  }

  private settle(m: Msg): void {
    const token = m.subject.slice(this.inbox.length + 1);
    const p = this.pending.get(token);
    if (!p) return; // timed out already
    this.pending.delete(token);
    // A status-only message: the server says nobody subscribes to the subject.
    if (m.headers?.code === 503 && m.data.length === 0) p.reject(new NoRespondersError(p.subject));
    else p.resolve(m);
  }

  private expire(): void {
    if (this.pending.size === 0) return;
    const now = Date.now();
    for (const [token, p] of this.pending) {
      if (p.deadline > now) continue;
      this.pending.delete(token);
      p.reject(new ReplyTimeoutError(p.subject, p.timeoutMs));
    }
  }

  private failAll(why: string): void {
    for (const [token, p] of this.pending) {
      this.pending.delete(token);
      p.reject(new Error(`${why}: ${p.subject}`));
    }
  }
}

export class NoRespondersError extends Error {
  constructor(readonly subject: string) {
    super(`no responders on ${subject}`);
  }
}

export class ReplyTimeoutError extends Error {
  constructor(readonly subject: string, timeoutMs: number) {
    super(`no reply on ${subject} within ${timeoutMs} ms`);
  }
}
