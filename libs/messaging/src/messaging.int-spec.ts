import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { connect, JsMsg, NatsConnection, Subscription } from 'nats';
import { z } from 'zod';
import { ErrorCode, subjects } from '@jobdesk/contracts';
import { parseConfig } from '@jobdesk/config';
import { testEnv, uniquePrefix } from '@jobdesk/testing';
import { LogContext, logContext, withLogContext } from '@jobdesk/observability';
import { DurableConsumer, PoisonMessageError } from './durable-consumer';
import { JetStreamEventPublisher } from './event-publisher';
import { RpcClient, RpcContext, RpcFailure, serveRpc } from './rpc';
import { deleteStreams, ensureStreams } from './streams';

const env = testEnv({ prefix: uniquePrefix('msg'), extra: { RPC_TIMEOUT_MS: '2000' } });
const s = subjects(env.NATS_PREFIX);

/** Resolves when check() holds, polling; fails the test after a second. */
async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 1_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('messaging (real NATS)', () => {
  let nc: NatsConnection;
  let publisher: JetStreamEventPublisher;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    nc = await connect({ servers: env.NATS_URL });
    await ensureStreams(nc, s);
    publisher = new JetStreamEventPublisher(nc);
  });
  afterAll(async () => {
    await deleteStreams(nc, s);
    await nc.drain();
  });

  const messagesOn = async (subject: string) => {
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(s.streams.events, { subjects_filter: subject });
    return info.state.subjects?.[subject] ?? 0;
  };

  describe('streams', () => {
    it('ensureStreams can run again without error and keeps what is stored', async () => {
      const subject = s.events(randomUUID());
      await publisher.publish(subject, { id: randomUUID() });

      await ensureStreams(nc, s);

      expect(await messagesOn(subject)).toBe(1);
    });

    it('creates one events and one notify stream for the prefix, on the prefix\'s subjects', async () => {
      const jsm = await nc.jetstreamManager();

      const events = await jsm.streams.info(s.streams.events);
      const notify = await jsm.streams.info(s.streams.notify);

      expect(events.config.subjects).toEqual([s.eventsAll]);
      expect(notify.config.subjects).toEqual([s.notifyAll]);
    });
  });

  describe('JetStreamEventPublisher', () => {
    it('stores an event published twice with the same id once', async () => {
      const subject = s.events(randomUUID());
      const event = { id: randomUUID(), type: 'job.started' };

      await publisher.publish(subject, event);
      await publisher.publish(subject, event);

      expect(await messagesOn(subject)).toBe(1);
    });

    it('stores two events with different ids twice', async () => {
      const subject = s.events(randomUUID());

      await publisher.publish(subject, { id: randomUUID() });
      await publisher.publish(subject, { id: randomUUID() });

      expect(await messagesOn(subject)).toBe(2);
    });

    it('resolves each of 500 publishes of one turn once its own event is stored', async () => {
      const subject = s.events(randomUUID());

      await Promise.all(Array.from({ length: 500 }, () => publisher.publish(subject, { id: randomUUID() })));

      expect(await messagesOn(subject)).toBe(500);
    });

    it('rejects a publish no stream stores, naming the subject', async () => {
      const subject = `${uniquePrefix('nostream')}.x`;

      await expect(publisher.publish(subject, { id: randomUUID() })).rejects.toThrow(`no JetStream stream stores ${subject}`);
    });

    it('rejects a publish whose ack never comes, after the ack timeout', async () => {
      // A plain subscriber takes the message and never answers, as a stalled JetStream would.
      const subject = `${uniquePrefix('silent')}.x`;
      const silent = nc.subscribe(subject);
      await nc.flush();
      const impatient = new JetStreamEventPublisher(nc);
      impatient.ackTimeoutMs = 300;
      try {
        const started = Date.now();
        await expect(impatient.publish(subject, { id: randomUUID() })).rejects.toThrow(`no JetStream ack for ${subject} within 300 ms`);
        expect(Date.now() - started).toBeGreaterThanOrEqual(300);
        expect(silent.getReceived()).toBe(1);
      } finally {
        silent.unsubscribe();
      }
    });
  });

  describe('DurableConsumer', () => {
    let consumer: DurableConsumer | undefined;
    afterEach(async () => {
      await consumer?.stop();
      consumer = undefined;
    });

    /** A consumer of its own subject, so tests do not see each other's messages. */
    async function startConsumer(handler: (data: unknown, msg: JsMsg) => Promise<void>, opts: { ackWaitMs?: number } = {}) {
      const subject = s.events(randomUUID());
      const durable = uniquePrefix('durable');
      consumer = new DurableConsumer(nc, { stream: s.streams.events, durable, filterSubject: subject, retryDelayMs: 20, ...opts }, handler);
      await consumer.start();
      const info = async () => (await nc.jetstreamManager()).consumers.info(s.streams.events, durable);
      return { subject, info };
    }

    it('acks a message only once the handler has resolved', async () => {
      let release!: () => void;
      const handled = new Promise<void>((r) => (release = r));
      let calls = 0;
      const { subject, info } = await startConsumer(async () => {
        calls++;
        await handled;
      });
      await publisher.publish(subject, { id: randomUUID() });
      await eventually(() => calls === 1);

      const whileHandling = await info();
      release();
      await eventually(async () => (await info()).ack_floor.stream_seq > 0);

      expect(whileHandling.num_ack_pending).toBe(1);
      expect((await info()).num_ack_pending).toBe(0);
    });

    it('gives a consumer made earlier with another ack wait the one it is started with now', async () => {
      const durable = uniquePrefix('durable');
      const subject = s.events(randomUUID());
      const first = new DurableConsumer(nc, { stream: s.streams.events, durable, filterSubject: subject, ackWaitMs: 30_000 }, async () => undefined);
      await first.start();
      await first.stop();

      consumer = new DurableConsumer(nc, { stream: s.streams.events, durable, filterSubject: subject, ackWaitMs: 75_000 }, async () => undefined);
      await consumer.start();

      const info = await (await nc.jetstreamManager()).consumers.info(s.streams.events, durable);
      expect(info.config.ack_wait).toBe(75_000 * 1e6);
    });

    it('hands the parsed JSON body to the handler', async () => {
      const seen: unknown[] = [];
      const { subject } = await startConsumer(async (data) => void seen.push(data));
      const event = { id: randomUUID(), type: 'job.progress', data: { progress: 40 } };

      await publisher.publish(subject, event);

      await eventually(() => seen.length === 1);
      expect(seen[0]).toEqual(event);
    });

    it('redelivers a message whose handler threw', async () => {
      const deliveries: Array<{ data: unknown; redelivered: boolean }> = [];
      const { subject } = await startConsumer(async (data, msg) => {
        deliveries.push({ data, redelivered: msg.redelivered });
        if (deliveries.length === 1) throw new Error('database down');
      });
      const event = { id: randomUUID() };

      await publisher.publish(subject, event);

      await eventually(() => deliveries.length === 2);
      expect(deliveries).toEqual([
        { data: event, redelivered: false },
        { data: event, redelivered: true },
      ]);
    });

    it('terminates a message the handler calls poison, so it is never redelivered', async () => {
      let calls = 0;
      const { subject, info } = await startConsumer(async () => {
        calls++;
        throw new PoisonMessageError('bad shape');
      }, { ackWaitMs: 100 });

      await publisher.publish(subject, { id: randomUUID() });
      await eventually(() => calls === 1);
      await sleep(300);

      expect(calls).toBe(1);
      expect((await info()).num_ack_pending).toBe(0);
    });

    it('terminates a message that is not JSON without calling the handler', async () => {
      let calls = 0;
      const { subject, info } = await startConsumer(async () => void calls++, { ackWaitMs: 100 });

      await nc.jetstream().publish(subject, 'not json {');
      await eventually(async () => (await info()).ack_floor.stream_seq > 0);
      await sleep(300);

      expect(calls).toBe(0);
      expect((await info()).num_ack_pending).toBe(0);
    });
    it('handles different subjects at once, and one subject\'s messages in order', async () => {
      const a = s.events(randomUUID());
      const b = s.events(randomUUID());
      const seen: string[] = [];
      let active = 0;
      let maxActive = 0;
      consumer = new DurableConsumer(nc, { stream: s.streams.events, durable: uniquePrefix('durable'), concurrency: 4 }, async (data, msg) => {
        if (msg.subject !== a && msg.subject !== b) return;
        active++;
        maxActive = Math.max(maxActive, active);
        await sleep(50);
        seen.push(`${msg.subject === a ? 'a' : 'b'}${(data as { n: number }).n}`);
        active--;
      });
      await consumer.start();

      for (let n = 0; n < 3; n++) {
        await publisher.publish(a, { id: randomUUID(), n } as { id: string });
        await publisher.publish(b, { id: randomUUID(), n } as { id: string });
      }

      await eventually(() => seen.length === 6, 5_000);
      expect(seen.filter((x) => x.startsWith('a'))).toEqual(['a0', 'a1', 'a2']);
      expect(seen.filter((x) => x.startsWith('b'))).toEqual(['b0', 'b1', 'b2']);
      expect(maxActive).toBe(2);
    });
  });

  describe('request-reply', () => {
    const Ask = z.object({ name: z.string().min(1) });
    let client: RpcClient;
    let sub: Subscription | undefined;
    beforeAll(() => {
      client = new RpcClient(nc, parseConfig(env));
    });
    afterEach(() => {
      sub?.unsubscribe();
      sub = undefined;
    });

    const serve = (handler: (req: z.infer<typeof Ask>, rpc: RpcContext) => Promise<unknown>) => {
      const subject = `${env.NATS_PREFIX}.rpc.${randomUUID()}`;
      sub = serveRpc(nc, subject, 'test', Ask, handler);
      return subject;
    };

    it('returns the handler\'s value', async () => {
      const subject = serve(async (req) => ({ greeting: `hello ${req.name}`, at: 42 }));

      const value = await client.request(subject, { name: 'ada' });

      expect(value).toEqual({ greeting: 'hello ada', at: 42 });
    });

    it('carries an RpcFailure\'s code, message and status to the caller', async () => {
      const failure = new RpcFailure(ErrorCode.NotFound, 'no job 7', 404);
      const subject = serve(async () => {
        throw failure;
      });

      const error = await client.request(subject, { name: 'ada' }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(RpcFailure);
      expect(error).toMatchObject({ code: failure.code, message: failure.message, status: failure.status });
    });

    it('answers a request that fails the schema with a 400 naming the field, without calling the handler', async () => {
      let calls = 0;
      const subject = serve(async () => void calls++);

      const error = await client.request(subject, { name: 42 }).catch((e: unknown) => e);

      expect(error).toMatchObject({ code: ErrorCode.ValidationFailed, status: 400 });
      expect((error as Error).message).toContain('name');
      expect(calls).toBe(0);
    });

    it('turns a subject nobody serves into a 503', async () => {
      const error = await client.request(`${env.NATS_PREFIX}.rpc.nobody-${randomUUID()}`, { name: 'ada' }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(RpcFailure);
      expect(error).toMatchObject({ code: ErrorCode.ServiceUnavailable, status: 503 });
    });

    it('turns a server that never answers into a 503 once timeoutMs has passed', async () => {
      const subject = `${env.NATS_PREFIX}.rpc.silent-${randomUUID()}`;
      sub = nc.subscribe(subject); // takes the request, never answers
      await nc.flush();
      const started = Date.now();

      const error = await client.request(subject, { name: 'ada' }, { timeoutMs: 300 }).catch((e: unknown) => e);

      expect(error).toMatchObject({ code: ErrorCode.ServiceUnavailable, status: 503 });
      expect((error as Error).message).toContain('within 300 ms');
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    });

    it('gives each of 300 concurrent requests its own answer', async () => {
      const subject = serve(async (req) => ({ echo: req.name }));
      const names = Array.from({ length: 300 }, (_, i) => `n${i}`);

      const answers = await Promise.all(names.map((name) => client.request<{ echo: string }>(subject, { name })));

      expect(answers.map((a) => a.echo)).toEqual(names);
    });

    it('carries the caller\'s request id and trace to the server', async () => {
      let seen: LogContext | undefined;
      const subject = serve(async () => void (seen = logContext()));
      const traceId = 'ab'.repeat(16);

      await withLogContext({ requestId: 'req-77', traceId, spanId: 'cd'.repeat(8) }, () => client.request(subject, { name: 'ada' }));

      expect(seen).toMatchObject({ requestId: 'req-77', traceId, parentSpanId: 'cd'.repeat(8) });
    });

    it('runs the work a handler defers with afterReply once, after its reply is on the wire', async () => {
      // Seen from another connection: the server's reply and what the deferred work publishes
      // arrive in the order the server wrote them.
      const observer = await connect({ servers: env.NATS_URL });
      try {
        const inbox = `${env.NATS_PREFIX}.inbox.${randomUUID()}`;
        const after = `${env.NATS_PREFIX}.after.${randomUUID()}`;
        const seen: string[] = [];
        observer.subscribe(inbox, { callback: () => seen.push('reply') });
        observer.subscribe(after, { callback: () => seen.push('deferred') });
        await observer.flush();
        let runs = 0;
        const subject = serve(async (req, rpc) => {
          rpc.afterReply(() => {
            runs++;
            nc.publish(after);
          });
          return { name: req.name };
        });
        await nc.flush();

        observer.publish(subject, JSON.stringify({ name: 'ada' }), { reply: inbox });
        await eventually(() => seen.length === 2);

        expect(seen).toEqual(['reply', 'deferred']);
        expect(runs).toBe(1);
      } finally {
        await observer.close();
      }
    });

    it('turns an unexpected handler error into a 503 that does not leak its message', async () => {
      const subject = serve(async () => {
        throw new Error('password authentication failed for user "postgres"');
      });

      const error = await client.request(subject, { name: 'ada' }).catch((e: unknown) => e);

      expect(error).toMatchObject({ code: ErrorCode.ServiceUnavailable, status: 503 });
      expect((error as Error).message).not.toContain('password');
    });
  });
});
