import 'reflect-metadata';
import { INestApplication, Logger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@jobdesk/config';
import { childSpan, JsonLogger, LogContext, runInLogContext } from '@jobdesk/observability';
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface BootOptions {
  name: string;
  defaultPort: number;
  /** Extra setup before the modules start (plugins, hooks). */
  configure?: (app: NestFastifyApplication) => Promise<void> | void;
  /** Setup that must come after Nest's own (it installs Fastify's error handler during init). */
  afterInit?: (app: NestFastifyApplication) => Promise<void> | void;
  bodyLimit?: number;
  /** Errors Fastify meets before routing (a path parameter over `maxParamLength`, a malformed URL). */
  frameworkErrors?: (err: Error & { code?: string; statusCode?: number }, req: FastifyRequest, reply: FastifyReply) => void;
}

/**
 * Errors Node's HTTP parser meets before Fastify sees a request (headers over the 16 KiB limit,
 * a malformed request line, a client too slow): answered as RFC 9457 problem+json on the raw
 * socket rather than Fastify's own JSON shape.
 */
export function problemClientErrorHandler(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  // A response already under way (its head sent): more bytes would corrupt it; only close.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (inFlight?.headersSent) {
    socket.destroy(err);
    return;
  }
  const [status, title, code, detail] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'headers_too_large', 'the request headers are larger than 16 KiB']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'request_timeout', 'the request was not received in time']
        : [400, 'Bad Request', 'malformed_request', 'the request is not valid HTTP'];
  const body = JSON.stringify({ type: `https://jobdesk.dev/problems/${code.replace(/_/g, '-')}`, title, status, detail, code });
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}

/**
 * Fastify's limit on receiving a request (`requestTimeout`, 0 by default: a client that sends
 * headers and part of a body could hold its connection for ever) and the Node HTTP options it
 * needs to work as set. Node times out only requests still being received (headers or body):
 * once a request is complete, its response — an SSE stream — may last as long as it likes.
 * Node checks its connections every `connectionsCheckingInterval` (30 s by default, too coarse
 * for a short limit), so check ten times per limit; and keep `headersTimeout` (60 s) no longer
 * than the whole request's limit, or Node swaps the two.
 */
export function requestTimeouts(requestTimeout: number): { requestTimeout: number; http?: { headersTimeout: number; connectionsCheckingInterval: number } } {
  if (requestTimeout <= 0) return { requestTimeout: 0 };
  return {
    requestTimeout,
    http: {
      headersTimeout: Math.min(60_000, requestTimeout),
      connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.round(requestTimeout / 10))),
    },
  };
}

/**
 * The caller's request id if it is a sensible one — 1-128 visible ASCII characters — else a new
 * UUID. It is echoed in a header and written into every log line: a 3000-character id was too.
 */
export function requestId(header: string | string[] | undefined): string {
  return typeof header === 'string' && /^[\x21-\x7e]{1,128}$/.test(header) ? header : randomUUID();
}

/**
 * Starts one jobdesk app: validated config (a bad variable stops the process with its name),
 * logger, Fastify HTTP (the API for the gateway; metrics and health for every app) and
 * shutdown hooks so SIGTERM drains work before exit.
 */
export async function bootApp(module: Type<unknown>, opts: BootOptions): Promise<INestApplication> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    console.error(`${opts.name}: ${(e as Error).message}`);
    process.exit(78); // EX_CONFIG
  }
  const logger = new JsonLogger({ app: opts.name, format: config.LOG_FORMAT, level: config.LOG_LEVEL });
  const timeouts = requestTimeouts(config.REQUEST_TIMEOUT_MS);
  const app = await NestFactory.create<NestFastifyApplication>(
    module,
    new FastifyAdapter({
      bodyLimit: opts.bodyLimit ?? 1024 * 1024,
      trustProxy: true,
      // Honour a caller's (or the proxy's) reasonable request id, else make one; echoed on every response.
      requestIdHeader: false,
      genReqId: (req: { headers: IncomingHttpHeaders }) => requestId(req.headers['x-request-id']),
      // While closing (SIGTERM) keep answering through our own handlers: a request that cannot be
      // served gets problem+json 503 with Retry-After, not Fastify's bare 503.
      return503OnClosing: false,
      clientErrorHandler: problemClientErrorHandler,
      ...timeouts,
      ...(opts.frameworkErrors ? { frameworkErrors: opts.frameworkErrors as never } : {}),
    }),
    { logger, bufferLogs: true },
  );
  app.enableShutdownHooks();
  const fastify = app.getHttpAdapter().getInstance();
  // Every line logged while a request runs carries its id and trace (tenant once auth knows it).
  // Entered again before the handler: body parsing runs in the socket's async context.
  const logCtx = new WeakMap<object, LogContext>();
  const access = new Logger('http');
  fastify.addHook('onRequest', (req, _reply, done) => {
    const ctx: LogContext = { requestId: req.id, ...childSpan(req.headers.traceparent) };
    logCtx.set(req, ctx);
    runInLogContext(ctx, done);
  });
  fastify.addHook('preHandler', (req, _reply, done) => {
    const ctx = logCtx.get(req);
    if (ctx) runInLogContext(ctx, done);
    else done();
  });
  fastify.addHook('onResponse', (req, reply, done) => {
    const ctx = logCtx.get(req);
    const route = req.routeOptions.url ?? 'unmatched';
    const line = `${req.method} ${route} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)} ms`;
    const write = () => (route === '/metrics' || route.startsWith('/health') ? access.debug(line) : access.log(line));
    if (ctx) runInLogContext(ctx, write);
    else write();
    done();
  });
  fastify.addHook('onSend', async (req, reply) => {
    void reply.header('x-request-id', req.id);
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('x-frame-options', 'DENY');
    void reply.header('referrer-policy', 'no-referrer');
    if (!reply.hasHeader('content-security-policy')) void reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
  });
  await opts.configure?.(app);
  await app.init();
  await opts.afterInit?.(app);
  const port = config.PORT ?? opts.defaultPort;
  await app.listen(port, config.HOST);
  const log = new Logger(opts.name);
  log.log(`listening on http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`);
  // Nest's shutdown hooks do the work (drain consumers, finish jobs in hand); say that it started.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => log.log(`${signal}: finishing the work in hand, then stopping`));
  return app;
}
