import { Inject, Injectable } from '@nestjs/common';
import { headers, JetStreamClient, NatsConnection } from 'nats';
import { NATS_CONNECTION } from './nats-connection';

/** Port: publish an event durably (resolves once JetStream has stored it). */
export abstract class EventPublisher {
  /** `msgId` (default: the event id) is what JetStream deduplicates on. */
  abstract publish(subject: string, event: { id: string }, opts?: { msgId?: string }): Promise<void>;
  /** Fire-and-forget on core NATS (live status; losing one is harmless). */
  abstract broadcast(subject: string, payload: unknown): void;
}

@Injectable()
export class JetStreamEventPublisher extends EventPublisher {
  private readonly js: JetStreamClient;
  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {
    super();
    this.js = nc.jetstream();
  }

  async publish(subject: string, event: { id: string }, opts: { msgId?: string } = {}): Promise<void> {
    const h = headers();
    // The event id doubles as the message id, so a retried publish is stored once.
    h.set('Nats-Msg-Id', opts.msgId ?? event.id);
    await this.js.publish(subject, JSON.stringify(event), { headers: h, timeout: 5_000 });
  }

  broadcast(subject: string, payload: unknown): void {
    if (!this.nc.isClosed()) this.nc.publish(subject, JSON.stringify(payload));
  }
}
