import { createRequire } from 'node:module';

/**
 * nats.js flushes its outgoing buffer in a microtask after the first command: one socket write
 * per macrotask that sends anything. Under load the gateway sends one request per HTTP request,
 * each from its own socket callback, so that is a write(2) per request — on loopback the
 * biggest single cost in the gateway's profile (the sender pays for delivering to nats-server).
 * Flushing at the end of the event-loop turn (setImmediate) instead lets every command of the
 * turn share one write. An idle app sends as before, a fraction of a millisecond later.
 *
 * This replaces one method of nats.js's ProtocolHandler (nats 2.x, checked at load: a version
 * whose sendCommand differs is left alone, and the flush is then per microtask again).
 */
export function coalesceNatsWrites(): boolean {
  const require = createRequire(__filename);
  const { ProtocolHandler } = require('nats/lib/nats-base-client/protocol') as { ProtocolHandler: { prototype: ProtocolLike } };
  const proto = ProtocolHandler.prototype;
  if (proto.sendCommand.name === 'coalescedSendCommand') return true;
  const source = proto.sendCommand.toString();
  if (!source.includes('queueMicrotask') || !source.includes('this.outbound.fill(buf, ...payloads)')) return false;
  const { encode } = require('nats/lib/nats-base-client/encoders') as { encode: (s: string) => Uint8Array };
  proto.sendCommand = function coalescedSendCommand(this: ProtocolLike, cmd: string | Uint8Array, ...payloads: Uint8Array[]) {
    const len = this.outbound.length();
    this.outbound.fill(typeof cmd === 'string' ? encode(cmd) : cmd, ...payloads);
    if (len === 0) setImmediate(() => this.flushPending());
    else if (this.outbound.size() >= this.pendingLimit) this.flushPending();
  };
  return true;
}

interface ProtocolLike {
  outbound: { length(): number; size(): number; fill(buf: Uint8Array, ...payloads: Uint8Array[]): void };
  pendingLimit: number;
  flushPending(): void;
  sendCommand(cmd: string | Uint8Array, ...payloads: Uint8Array[]): void;
}
