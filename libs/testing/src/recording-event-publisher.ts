import { EventPublisher } from '@jobdesk/messaging';

/** An EventPublisher that keeps what it was given, in order. */
export class RecordingEventPublisher extends EventPublisher {
  readonly published: Array<{ subject: string; event: { id: string } & Record<string, unknown> }> = [];
  readonly broadcasts: Array<{ subject: string; payload: unknown }> = [];

  async publish(subject: string, event: { id: string }): Promise<void> {
    this.published.push({ subject, event: structuredClone(event) as { id: string } & Record<string, unknown> });
  }

  broadcast(subject: string, payload: unknown): void {
    this.broadcasts.push({ subject, payload: structuredClone(payload) });
  }

  /** The events published on one subject. */
  on(subject: string): Array<{ id: string } & Record<string, unknown>> {
    return this.published.filter((p) => p.subject === subject).map((p) => p.event);
  }
}
