import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * What a log line is about: set where a request, an RPC or a job starts, read by the logger for
 * every line written while it runs. Ids only — never inputs, results or anything from a resume.
 */
export interface LogContext {
  requestId?: string;
  jobId?: string;
  tenant?: string;
  attempt?: number;
  correlationId?: string;
  /** W3C trace context of the current unit of work (its own span, child of the caller's). */
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `ctx` added to the current context (a fresh object: the caller's is not changed). */
export function withLogContext<T>(ctx: LogContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...dropUndefined(ctx) }, fn);
}

/** Runs `fn` with exactly `ctx` as the context: later `setLogContext` calls change that object. */
export function runInLogContext<T>(ctx: LogContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

/** Adds fields to the current context in place (e.g. the tenant once auth knows it). No-op outside one. */
export function setLogContext(fields: LogContext): void {
  const store = storage.getStore();
  if (store) Object.assign(store, dropUndefined(fields));
}

export function logContext(): LogContext | undefined {
  return storage.getStore();
}

function dropUndefined(o: LogContext): LogContext {
  const out: Record<string, unknown> = {};
  for (const k in o) {
    const v = o[k as keyof LogContext];
    if (v !== undefined && v !== null && v !== '') out[k] = v;
  }
  return out as LogContext;
}

// ---- W3C trace context (https://www.w3.org/TR/trace-context/) ----

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export interface TraceParent {
  traceId: string;
  spanId: string;
  flags: string;
}

/** Parses a `traceparent` header; null when absent or invalid (all-zero ids, version ff). */
export function parseTraceparent(value: unknown): TraceParent | null {
  if (typeof value !== 'string') return null;
  const m = TRACEPARENT.exec(value.trim().toLowerCase());
  if (!m || m[1] === 'ff' || /^0+$/.test(m[2]) || /^0+$/.test(m[3])) return null;
  return { traceId: m[2], spanId: m[3], flags: m[4] };
}

export function formatTraceparent(t: { traceId: string; spanId: string; flags?: string }): string {
  return `00-${t.traceId}-${t.spanId}-${t.flags ?? '01'}`;
}

// From randomUUID, which draws on a pooled buffer of entropy: a randomBytes call per request was
// a few per cent of the gateway's CPU. 122 random bits for a trace id, 60 for a span id.
export const newTraceId = (): string => randomUUID().replace(/-/g, '');
export const newSpanId = (): string => randomUUID().replace(/-/g, '').slice(0, 16);

/**
 * The context for a new span: a child of `incoming` (a traceparent header or payload field) when
 * it is valid, else the root of a new trace.
 */
export function childSpan(incoming: unknown): Pick<LogContext, 'traceId' | 'spanId' | 'parentSpanId'> {
  const parent = parseTraceparent(incoming);
  return parent ? { traceId: parent.traceId, spanId: newSpanId(), parentSpanId: parent.spanId } : { traceId: newTraceId(), spanId: newSpanId() };
}

/** The `traceparent` to send downstream from the current context (undefined outside a trace). */
export function currentTraceparent(): string | undefined {
  const c = storage.getStore();
  return c?.traceId && c.spanId ? formatTraceparent({ traceId: c.traceId, spanId: c.spanId }) : undefined;
}
