import { Inject, Injectable } from '@nestjs/common';
import { headers, NatsConnection } from 'nats';
import { NATS_CONNECTION } from './nats-connection';
import { NoRespondersError, ReplyInbox, ReplyTimeoutError } from './reply-inbox';

/** Port: publish an event durably (resolves once JetStream has stored it). */
export abstract class EventPublisher {
  /** `msgId` (default: the event id) is what JetStream deduplicates on. */
  abstract publish(subject: string, event: { id: string }, opts?: { msgId?: string }): Promise<void>;
  /** Fire-and-forget on core NATS (live status; losing one is harmless). */
  abstract broadcast(subject: string, payload: unknown): void;
}

/** How long a publish waits for JetStream's ack before it fails (the caller then retries or naks). */
export const PUBLISH_ACK_TIMEOUT_MS = 5_000;

/**
 * JetStream publishes as plain publishes whose acks come back to one inbox (ReplyInbox): what
 * `js.publish` does, without its per-publish request machinery.
 */
@Injectable()
export class JetStreamEventPublisher extends EventPublisher {
  /** Lives as long as the connection: a worker finishing an attempt during shutdown still gets its ack. */
  private readonly inbox: ReplyInbox;
  /** How long a publish waits for its ack (tests shorten it). */
  ackTimeoutMs = PUBLISH_ACK_TIMEOUT_MS;

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {
    super();
    this.inbox = new ReplyInbox(nc);
  }

  async publish(subject: string, event: { id: string }, opts: { msgId?: string } = {}): Promise<void> {
    const h = headers();
    // The event id doubles as the message id, so a retried publish is stored once.
    h.set('Nats-Msg-Id', opts.msgId ?? event.id);
    let ack;
    try {
      ack = await this.inbox.request(subject, JSON.stringify(event), { timeoutMs: this.ackTimeoutMs, headers: h });
    } catch (e) {
      if (e instanceof NoRespondersError) throw new Error(`no JetStream stream stores ${subject} (no responders)`);
      if (e instanceof ReplyTimeoutError) throw new Error(`no JetStream ack for ${subject} within ${this.ackTimeoutMs} ms`);
      throw e;
    }
    // JetStream's answer: `{stream, seq[, duplicate]}` or `{error: {code, description}}`.
    let parsed: { stream?: string; error?: { description?: string; code?: number } };
    try {
      parsed = ack.json();
    } catch {
      throw new Error(`JetStream gave an unreadable ack for ${subject}`);
    }
    if (parsed.error) throw new Error(`JetStream refused ${subject}: ${parsed.error.description ?? parsed.error.code}`);
    if (!parsed.stream) throw new Error(`JetStream gave an invalid ack for ${subject}`);
  }

  broadcast(subject: string, payload: unknown): void {
    if (!this.nc.isClosed()) this.nc.publish(subject, JSON.stringify(payload));
  }
}
