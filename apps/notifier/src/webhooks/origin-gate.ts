/** Ends a direct send's hold on its origin; `failed`: the origin did not answer (timeout, refused or reset connection). */
export type Release = (failed: boolean) => void;

export interface OriginGateOptions {
  /** Direct sends in flight to one origin. */
  perOrigin: number;
  /** Longest a send waits for a slot; also: an origin none of whose sends ended for this long takes no waiters. */
  maxWaitMs: number;
  /** After a direct send that got no answer, how long the origin's deliveries go through the queue instead. */
  coolDownMs: number;
}

interface Origin {
  inFlight: number;
  waiting: Array<{ since: number; resolve: (r: Release | undefined) => void }>;
  /** When one of its sends last started from idle or ended. */
  progressAt: number;
  failedAt: number;
  timer?: NodeJS.Timeout;
}

/**
 * Keeps one slow or dead receiver from holding up everyone else's first attempts. The fan-out
 * sends a first attempt inline while its notification stays unacked, so a receiver that hangs
 * (up to WEBHOOK_TIMEOUT_MS) holds a fan-out slot: at most `perOrigin` of them per origin. A send
 * beyond that waits for one of the origin's slots, but only briefly and only while the origin's
 * sends keep ending; otherwise, and for a while after an origin did not answer, `acquire` answers
 * `undefined` and the delivery goes to the retry queue (BullMQ) as a whole.
 */
export class OriginGate {
  private readonly origins = new Map<string, Origin>();

  constructor(
    private readonly opts: OriginGateOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** A slot for a direct send to `origin` (release it when the attempt ends), or undefined: queue it. */
  acquire(origin: string): Promise<Release | undefined> {
    const now = this.now();
    let o = this.origins.get(origin);
    if (!o) {
      if (this.origins.size >= 10_000) this.sweep(now);
      o = { inFlight: 0, waiting: [], progressAt: now, failedAt: -Infinity };
      this.origins.set(origin, o);
    }
    if (now - o.failedAt < this.opts.coolDownMs) return Promise.resolve(undefined);
    if (o.inFlight < this.opts.perOrigin) {
      if (o.inFlight++ === 0) o.progressAt = now;
      return Promise.resolve(this.releaser(origin, o));
    }
    if (now - o.progressAt > this.opts.maxWaitMs) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      o.waiting.push({ since: now, resolve });
      // One timer per origin with waiters (not one per waiter): turns away those that waited too long.
      o.timer ??= setInterval(() => this.expire(origin, o), Math.max(10, this.opts.maxWaitMs / 2)).unref();
    });
  }

  /** Origins known (in flight, waiting or cooling down); for tests. */
  get size(): number {
    return this.origins.size;
  }

  private releaser(origin: string, o: Origin): Release {
    let done = false;
    return (failed) => {
      if (done) return;
      done = true;
      const now = this.now();
      o.progressAt = now;
      if (failed) {
        o.failedAt = now;
        this.turnAway(o, o.waiting.length);
      }
      const next = o.waiting.shift();
      // The slot passes straight to the next waiter.
      if (next) next.resolve(this.releaser(origin, o));
      else if (--o.inFlight === 0) this.idle(origin, o);
    };
  }

  private expire(origin: string, o: Origin): void {
    const now = this.now();
    let n = 0;
    while (n < o.waiting.length && now - o.waiting[n].since >= this.opts.maxWaitMs) n++;
    this.turnAway(o, n);
    if (o.waiting.length === 0 && o.inFlight === 0) this.idle(origin, o);
  }

  private turnAway(o: Origin, n: number): void {
    for (const w of o.waiting.splice(0, n)) w.resolve(undefined);
    if (o.waiting.length === 0 && o.timer) {
      clearInterval(o.timer);
      o.timer = undefined;
    }
  }

  /** Nothing in flight: forget the origin, unless it is cooling down after a failure. */
  private idle(origin: string, o: Origin): void {
    if (o.waiting.length === 0 && this.now() - o.failedAt >= this.opts.coolDownMs) this.origins.delete(origin);
  }

  private sweep(now: number): void {
    for (const [origin, o] of this.origins) if (o.inFlight === 0 && o.waiting.length === 0 && now - o.failedAt >= this.opts.coolDownMs) this.origins.delete(origin);
  }
}
