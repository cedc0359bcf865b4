import { Inject, Injectable, Logger } from '@nestjs/common';
import { headers as natsHeaders, NatsConnection, Subscription } from 'nats';
import type { z } from 'zod';
import { ErrorCode, RpcError, RpcReply } from '@jobdesk/contracts';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { childSpan, currentTraceparent, describeError, logContext, withLogContext } from '@jobdesk/observability';
import { NATS_CONNECTION } from './nats-connection';
import { ReplyInbox } from './reply-inbox';

/** An error with an HTTP status that crosses request-reply intact. */
export class RpcFailure extends Error {
  constructor(readonly code: string, message: string, readonly status: number) {
    super(message);
  }
  toJSON(): RpcError {
    return { code: this.code, message: this.message, status: this.status };
  }
}

/** Caller side: request a value; a missing or slow service becomes a 503-shaped RpcFailure. */
@Injectable()
export class RpcClient {
  /** Lives as long as the connection: requests made while the app shuts down still get answers. */
  private readonly inbox: ReplyInbox;

  constructor(
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.inbox = new ReplyInbox(nc);
  }

  /** `timeoutMs`: how long to wait for the reply (default RPC_TIMEOUT_MS). */
  async request<T>(subject: string, payload: unknown, opts: { timeoutMs?: number } = {}): Promise<T> {
    let raw;
    try {
      raw = await this.inbox.request(subject, JSON.stringify(payload), { timeoutMs: opts.timeoutMs ?? this.config.RPC_TIMEOUT_MS, headers: contextHeaders() });
    } catch (e) {
      throw new RpcFailure(ErrorCode.ServiceUnavailable, `job-tracker unavailable: ${(e as Error).message}`, 503);
    }
    const reply = raw.json<RpcReply<T>>();
    if (reply.ok) return reply.value;
    throw new RpcFailure(reply.error.code, reply.error.message, reply.error.status);
  }
}

/** The caller's trace context and request id as NATS headers (W3C `traceparent`). */
function contextHeaders() {
  const tp = currentTraceparent();
  const rid = logContext()?.requestId;
  if (!tp && !rid) return undefined;
  const h = natsHeaders();
  if (tp) h.set('traceparent', tp);
  if (rid) h.set('x-request-id', rid);
  return h;
}

/** What a request's handler may ask of the server besides answering. */
export interface RpcContext {
  /**
   * Runs `fn` once the reply is on its way (written to the socket with the other replies of the
   * turn): work the caller does not wait for must not delay its answer.
   */
  afterReply(fn: () => void): void;
}

/** Server side: answer requests on a subject (queue group, so replicas share the load). */
export function serveRpc<S extends z.ZodType, T>(
  nc: NatsConnection,
  subject: string,
  queue: string,
  schema: S,
  handler: (req: z.infer<S>, rpc: RpcContext) => Promise<T>,
): Subscription {
  const log = new Logger(`rpc:${subject}`);
  return nc.subscribe(subject, {
    queue,
    callback: (err, msg) => {
      if (err) return log.error(err.message);
      const ctx = { requestId: msg.headers?.get('x-request-id') || undefined, ...childSpan(msg.headers?.get('traceparent')) };
      void withLogContext(ctx, async () => {
        let reply: RpcReply<T>;
        const after: Array<() => void> = [];
        try {
          const parsed = schema.safeParse(msg.json());
          if (!parsed.success) throw new RpcFailure(ErrorCode.ValidationFailed, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), 400);
          reply = { ok: true, value: await handler(parsed.data, { afterReply: (fn) => void after.push(fn) }) };
        } catch (e) {
          if (e instanceof RpcFailure) reply = { ok: false, error: e.toJSON() };
          else {
            // The database or a queue is down: the caller should come back later, as for a timeout.
            // Class, code and a short message only: a failed INSERT's text carries the user's data.
            log.error(describeError(e));
            reply = { ok: false, error: { code: ErrorCode.ServiceUnavailable, message: 'job-tracker could not complete the request; try again', status: 503 } };
          }
        }
        msg.respond(JSON.stringify(reply));
        // The reply's write is scheduled for the end of this turn (coalesceNatsWrites): an
        // immediate queued now runs after it.
        if (after.length)
          setImmediate(() => {
            for (const fn of after) {
              try {
                fn();
              } catch (e) {
                log.error(`work deferred after the reply failed: ${(e as Error).message}`);
              }
            }
          });
      });
    },
  });
}
