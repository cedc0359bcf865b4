import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { createInbox, headers, Msg, NatsConnection, Subscription } from 'nats';
import { NATS_CONNECTION } from './nats-connection';

/** Port: publish an event durably (resolves once JetStream has stored it). */
export abstract class EventPublisher {
  /** `msgId` (default: the event id) is what JetStream deduplicates on. */
  abstract publish(subject: string, event: { id: string }, opts?: { msgId?: string }): Promise<void>;
  /** Fire-and-forget on core NATS (live status; losing one is harmless). */
  abstract broadcast(subject: string, payload: unknown): void;
}

/** How long a publish waits for JetStream's ack before it fails (the caller then retries or naks). */
export const PUBLISH_ACK_TIMEOUT_MS = 5_000;
const SWEEP_EVERY_MS = 250;

interface Pending {
  subject: string;
  deadline: number;
  resolve: () => void;
  reject: (e: Error) => void;
}

/**
 * JetStream publishes as plain NATS publishes whose reply subject is one inbox of ours, the acks
 * matched by the last token: what `js.publish` does, without its per-publish request object,
 * timer, deferred and the Error it builds to cancel each answered request (together a tenth of a
 * busy worker's CPU). One sweep a quarter second fails the publishes whose ack is overdue.
 */
@Injectable()
export class JetStreamEventPublisher extends EventPublisher implements OnModuleDestroy {
  private readonly inbox = createInbox();
  private readonly pending = new Map<string, Pending>();
  private readonly sub: Subscription;
  private readonly sweep: NodeJS.Timeout;
  private next = 0;
  /** How long a publish waits for its ack (tests shorten it). */
  ackTimeoutMs = PUBLISH_ACK_TIMEOUT_MS;

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {
    super();
    this.sub = nc.subscribe(`${this.inbox}.*`, { callback: (_err, m) => this.settle(m) });
    void this.sub.closed.then(() => this.failAll('the NATS connection closed before JetStream acknowledged'));
    this.sweep = setInterval(() => this.expire(), SWEEP_EVERY_MS).unref();
  }

  publish(subject: string, event: { id: string }, opts: { msgId?: string } = {}): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const h = headers();
      // The event id doubles as the message id, so a retried publish is stored once.
      h.set('Nats-Msg-Id', opts.msgId ?? event.id);
      const token = (this.next++).toString(36);
      this.pending.set(token, { subject, deadline: Date.now() + this.ackTimeoutMs, resolve, reject });
      try {
        this.nc.publish(subject, JSON.stringify(event), { reply: `${this.inbox}.${token}`, headers: h });
      } catch (e) {
        this.pending.delete(token);
        reject(e as Error);
      }
    });
  }

  broadcast(subject: string, payload: unknown): void {
    if (!this.nc.isClosed()) this.nc.publish(subject, JSON.stringify(payload));
  }

  onModuleDestroy(): void {
    clearInterval(this.sweep);
  }

  /** JetStream's answer: `{stream, seq[, duplicate]}`, `{error: {description}}`, or a 503 status (no stream takes the subject). */
  private settle(m: Msg): void {
    const token = m.subject.slice(this.inbox.length + 1);
    const p = this.pending.get(token);
    if (!p) return; // already expired
    this.pending.delete(token);
    if (m.headers?.code === 503) return p.reject(new Error(`no JetStream stream stores ${p.subject} (no responders)`));
    try {
      const ack = m.json<{ stream?: string; error?: { description?: string; code?: number } }>();
      if (ack.error) return p.reject(new Error(`JetStream refused ${p.subject}: ${ack.error.description ?? ack.error.code}`));
      if (!ack.stream) return p.reject(new Error(`JetStream gave an invalid ack for ${p.subject}`));
      p.resolve();
    } catch {
      p.reject(new Error(`JetStream gave an unreadable ack for ${p.subject}`));
    }
  }

  private expire(): void {
    if (this.pending.size === 0) return;
    const now = Date.now();
    for (const [token, p] of this.pending) {
      // Insertion order is deadline order: the first one not yet due ends the sweep.
      if (p.deadline > now) break;
      this.pending.delete(token);
      p.reject(new Error(`no JetStream ack for ${p.subject} within ${this.ackTimeoutMs} ms`));
    }
  }

  private failAll(why: string): void {
    for (const [token, p] of this.pending) {
      this.pending.delete(token);
      p.reject(new Error(`${why}: ${p.subject}`));
    }
  }
}
