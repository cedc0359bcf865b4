import { EventPublisher } from '@jobdesk/messaging';

/**
 * Durable publishes that are asked for in the same turn of the event loop go out together: they
 * are started back to back in one `setImmediate`, so the NATS client writes them to its socket
 * in one write instead of one write each (a loopback write costs more CPU than the rest of a
 * publish). Each caller still gets its own promise, resolved once JetStream has stored its event
 * (or rejected), exactly as with `EventPublisher.publish`; nothing is acked on anyone's behalf.
 */
export class CoalescingPublisher {
  private pending: Array<{ subject: string; event: { id: string }; resolve: () => void; reject: (e: unknown) => void }> = [];

  constructor(private readonly events: EventPublisher) {}

  publish(subject: string, event: { id: string }): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.pending.push({ subject, event, resolve, reject }) === 1) setImmediate(this.flush);
    });
  }

  private readonly flush = (): void => {
    const batch = this.pending;
    this.pending = [];
    for (const p of batch) {
      try {
        this.events.publish(p.subject, p.event).then(p.resolve, p.reject);
      } catch (e) {
        p.reject(e);
      }
    }
  };
}
