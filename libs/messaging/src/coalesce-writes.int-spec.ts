import { connect, NatsConnection, StringCodec } from 'nats';
import { testEnv, uniquePrefix } from '@jobdesk/testing';
import { coalesceNatsWrites } from './coalesce-writes';

const env = testEnv({ prefix: uniquePrefix('coalesce') });
const sc = StringCodec();

/** Publishes `n` messages, each from its own callback of one event-loop turn (as HTTP requests arrive); counts socket writes. */
async function publishFromSeparateCallbacks(nc: NatsConnection, subject: string, n: number): Promise<{ writes: number; received: string[] }> {
  const received: string[] = [];
  const sub = nc.subscribe(subject, { max: n, callback: (_e, m) => received.push(sc.decode(m.data)) });
  await nc.flush();
  const transport = (nc as unknown as { protocol: { transport: { send(d: Uint8Array): void } } }).protocol.transport;
  const send = transport.send.bind(transport);
  // Only the writes that carry our publishes: a PONG to the server's PING or the flush's own
  // PING may come in their own writes at any time (under load, one did: 3 writes).
  let writes = 0;
  const pub = `PUB ${subject} `;
  transport.send = (d) => {
    if (Buffer.from(d).includes(pub)) writes++;
    send(d);
  };
  await new Promise<void>((done) => {
    for (let i = 0; i < n; i++) setImmediate(() => nc.publish(subject, sc.encode(String(i))));
    setImmediate(() => setImmediate(done));
  });
  await nc.flush();
  transport.send = send;
  await sub.closed;
  return { writes, received };
}

describe('coalesceNatsWrites (real NATS)', () => {
  it('sends the commands of one event-loop turn in one write, in order, none lost', async () => {
    const nc = await connect({ servers: env.NATS_URL });
    try {
      const n = 20;
      const expected = Array.from({ length: n }, (_, i) => String(i));
      const before = await publishFromSeparateCallbacks(nc, `${env.NATS_PREFIX}.a`, n);
      expect(before.received).toEqual(expected);
      expect(before.writes).toBeGreaterThanOrEqual(n); // nats.js alone: a write per callback

      expect(coalesceNatsWrites()).toBe(true);
      expect(coalesceNatsWrites()).toBe(true); // twice is harmless
      const after = await publishFromSeparateCallbacks(nc, `${env.NATS_PREFIX}.b`, n);
      expect(after.received).toEqual(expected);
      expect(after.writes).toBe(1); // the turn's publishes

      // Request-reply still answers (the reply goes out from the responder's own turn).
      nc.subscribe(`${env.NATS_PREFIX}.echo`, { callback: (_e, m) => m.respond(m.data) });
      const replies = await Promise.all(['x', 'y', 'z'].map((t) => nc.request(`${env.NATS_PREFIX}.echo`, sc.encode(t), { timeout: 1000 })));
      expect(replies.map((r) => sc.decode(r.data))).toEqual(['x', 'y', 'z']);
    } finally {
      await nc.close();
    }
  });
});
