import { Logger } from '@nestjs/common';
import type { z } from 'zod';
import { AckPolicy, ConsumerMessages, DeliverPolicy, JsMsg, NatsConnection } from 'nats';

export interface DurableConsumerOptions {
  stream: string;
  durable: string;
  filterSubject?: string;
  /** How long a message may stay unacked before JetStream redelivers it. */
  ackWaitMs?: number;
  /** Delay before a failed message is tried again. */
  retryDelayMs?: number;
  /**
   * Messages handled at once (default 1). Messages on the same subject (one job's events) are
   * still handled one after the other, in stream order.
   */
  concurrency?: number;
}

/**
 * Runs a handler over a durable JetStream consumer: one message at a time per subject (so a
 * job's events are applied in order), up to `concurrency` subjects at once. The message is
 * acked only after the handler resolved; a throwing handler gets it back later; a message the
 * handler marks as poison is terminated.
 */
export class DurableConsumer {
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  private readonly log: Logger;

  constructor(
    private readonly nc: NatsConnection,
    private readonly opts: DurableConsumerOptions,
    private readonly handler: (data: unknown, msg: JsMsg) => Promise<void>,
  ) {
    this.log = new Logger(`consumer:${opts.durable}`);
  }

  async start(): Promise<void> {
    const jsm = await this.nc.jetstreamManager();
    const config = {
      durable_name: this.opts.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: (this.opts.ackWaitMs ?? 30_000) * 1e6,
      max_deliver: -1,
      filter_subject: this.opts.filterSubject,
    };
    const existing = await jsm.consumers.info(this.opts.stream, this.opts.durable).catch(() => undefined);
    if (!existing) await jsm.consumers.add(this.opts.stream, config);
    // A consumer made by an earlier version keeps its settings unless told: the ack wait may change.
    else if (existing.config.ack_wait !== config.ack_wait) await jsm.consumers.update(this.opts.stream, this.opts.durable, { ack_wait: config.ack_wait });
    const consumer = await this.nc.jetstream().consumers.get(this.opts.stream, this.opts.durable);
    this.messages = await consumer.consume({ max_messages: 256 });
    this.loop = this.run(this.messages);
  }

  private async run(messages: ConsumerMessages): Promise<void> {
    const limit = Math.max(1, this.opts.concurrency ?? 1);
    const inFlight = new Set<Promise<void>>();
    const lastOnSubject = new Map<string, Promise<void>>();
    for await (const m of messages) {
      const before = lastOnSubject.get(m.subject) ?? Promise.resolve();
      // An ack that cannot go out (connection closed) must not stop the loop: JetStream redelivers.
      const done: Promise<void> = before.then(() => this.handle(m)).catch((e: Error) => this.log.warn(`${m.subject}: ${e.message}`));
      lastOnSubject.set(m.subject, done);
      inFlight.add(done);
      void done.finally(() => {
        inFlight.delete(done);
        if (lastOnSubject.get(m.subject) === done) lastOnSubject.delete(m.subject);
      });
      if (inFlight.size >= limit) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  }

  /** The outcome is an ack, a nak (try again later) or a term (poison). */
  private async handle(m: JsMsg): Promise<void> {
    let data: unknown;
    try {
      data = m.json();
    } catch {
      this.log.error(`dropping unparseable message ${m.subject} seq ${m.seq}`);
      m.term();
      return;
    }
    try {
      await this.handler(data, m);
      m.ack();
    } catch (e) {
      if (e instanceof PoisonMessageError) {
        this.log.error(`dropping invalid message ${m.subject}: ${e.message}`);
        m.term();
      } else {
        this.log.warn(`handler failed for ${m.subject} (delivery ${m.info.redeliveryCount}): ${(e as Error).message}`);
        m.nak(this.opts.retryDelayMs ?? 1_000);
      }
    }
  }

  /** Stops fetching and waits for the message in hand to finish. */
  async stop(): Promise<void> {
    await this.messages?.close();
    await this.loop?.catch(() => undefined);
  }
}

/** Thrown by a handler for a message that can never be processed (bad shape). */
export class PoisonMessageError extends Error {}

/**
 * A handler that checks each message against its contract first: a message of the wrong shape is
 * poison (terminated, logged), never retried for ever.
 */
export function validated<S extends z.ZodType>(schema: S, handle: (message: z.infer<S>, msg?: JsMsg) => Promise<void>): (data: unknown, msg?: JsMsg) => Promise<void> {
  return async (data, msg) => {
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw new PoisonMessageError(parsed.error.message);
    await handle(parsed.data, msg);
  };
}
