import type { LoggerService, LogLevel } from '@nestjs/common';
import pino, { type Logger as Pino } from 'pino';
import { logContext, type LogContext } from './log-context';
import { bufferedStderr, bufferedStdout } from './line-buffer';

export interface JsonLoggerOptions {
  /** The app's name, on every line. */
  app: string;
  format: 'json' | 'text';
  /** The most verbose Nest level written: error < warn < log < debug < verbose. */
  level: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
  /** Where lines go (default stdout); tests pass their own. */
  destination?: { write(line: string): unknown };
}

const NEST_TO_PINO = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' } as const;
type NestLevel = keyof typeof NEST_TO_PINO;
const ORDER: NestLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
const STACK = /\n\s+at /;

/**
 * Field names that may hold personal data (resume contents, addresses, file names): censored if
 * an object ever reaches a log call. The real rule is "log ids, not data" — this is the net.
 */
export const REDACTED_KEYS = ['input', 'result', 'email', 'to', 'from', 'phone', 'sms', 'filename', 'fileName', 'text', 'html', 'body', 'data', 'params', 'parameters', 'query'];

/**
 * Nest's LoggerService over pino: one JSON object per line (LOG_FORMAT=json) with the app, the
 * Nest context and whatever the async log context knows — request id, job id, tenant, attempt,
 * correlation and trace ids — or a readable line (LOG_FORMAT=text).
 */
export class JsonLogger implements LoggerService {
  private readonly pino: Pino;
  private enabled: Set<NestLevel>;
  /** Whether the line pino is writing is an error's (written at once, not at the loop turn's end). */
  private urgent = false;

  constructor(private readonly opts: JsonLoggerOptions) {
    this.enabled = new Set(ORDER.slice(0, ORDER.indexOf(opts.level) + 1));
    this.pino = pino(
      {
        level: 'trace', // filtering happens here, so setLogLevels works like Nest's
        base: { app: opts.app },
        messageKey: 'msg',
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        redact: { paths: [...REDACTED_KEYS, ...REDACTED_KEYS.map((k) => `*.${k}`)], censor: '[redacted]' },
        mixin: () => contextFields(logContext()),
      },
      (opts.destination as pino.DestinationStream) ?? { write: (line: string) => this.toStdout(line) },
    );
  }

  log(message: unknown, ...params: unknown[]): void { this.write('log', message, params); }
  error(message: unknown, ...params: unknown[]): void { this.write('error', message, params); }
  warn(message: unknown, ...params: unknown[]): void { this.write('warn', message, params); }
  debug(message: unknown, ...params: unknown[]): void { this.write('debug', message, params); }
  verbose(message: unknown, ...params: unknown[]): void { this.write('verbose', message, params); }
  fatal(message: unknown, ...params: unknown[]): void { this.write('fatal', message, params); }

  private toStdout(line: string): void {
    bufferedStdout().write(line, this.urgent);
  }

  setLogLevels(levels: LogLevel[]): void {
    this.enabled = new Set(levels as NestLevel[]);
  }

  private write(level: NestLevel, message: unknown, params: unknown[]): void {
    if (!this.enabled.has(level)) return;
    const rest = [...params];
    // Nest passes the logger's context last; an error's stack before it.
    let context: string | undefined;
    const last = rest.at(-1);
    if (typeof last === 'string' && !STACK.test(last)) context = rest.pop() as string;
    let stack: string | undefined;
    if (typeof rest[0] === 'string' && (level === 'error' || level === 'fatal' || STACK.test(rest[0]))) stack = rest.shift() as string;

    const fields: Record<string, unknown> = {};
    if (context) fields.context = context;
    let msg: string;
    if (message instanceof Error) {
      msg = message.message;
      fields.err = { type: message.name, message: message.message, stack: stack ?? message.stack };
    } else if (message && typeof message === 'object') {
      Object.assign(fields, message);
      msg = typeof (message as { msg?: unknown }).msg === 'string' ? (message as { msg: string }).msg : '';
      delete fields.msg;
    } else {
      msg = String(message);
    }
    if (stack && !fields.err) fields.err = { stack };
    msg = scrub(msg);

    if (this.opts.format === 'json') {
      this.urgent = level === 'error' || level === 'fatal';
      this.pino[NEST_TO_PINO[level]](fields, msg);
      this.urgent = false;
      return;
    }
    this.writeText(level, msg, fields);
  }

  private writeText(level: NestLevel, msg: string, fields: Record<string, unknown>): void {
    const { context, err, ...extra } = fields as { context?: string; err?: { stack?: string } } & Record<string, unknown>;
    const ctx = contextFields(logContext());
    const kv = Object.entries({ ...extra, ...ctx })
      .filter(([k]) => !REDACTED_KEYS.includes(k))
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    const line = `${new Date().toISOString()} ${NEST_TO_PINO[level].toUpperCase().padEnd(5)} [${this.opts.app}]${context ? ` ${context}:` : ''} ${msg}${kv ? `  ${kv}` : ''}${err?.stack ? `\n${err.stack}` : ''}\n`;
    if (this.opts.destination) this.opts.destination.write(line);
    else if (level === 'error' || level === 'fatal') {
      bufferedStdout().flush(); // what came before is written before the error
      bufferedStderr().write(line, true);
    } else bufferedStdout().write(line);
  }
}

function contextFields(c: LogContext | undefined): Record<string, unknown> {
  if (!c) return {};
  const out: Record<string, unknown> = {};
  if (c.requestId) out.requestId = c.requestId;
  if (c.jobId) out.jobId = c.jobId;
  if (c.tenant) out.tenant = c.tenant;
  if (c.attempt !== undefined) out.attempt = c.attempt;
  if (c.correlationId) out.correlationId = c.correlationId;
  if (c.traceId) out.traceId = c.traceId;
  if (c.spanId) out.spanId = c.spanId;
  return out;
}

/**
 * A database or driver error as it may be logged: its class, SQLSTATE/code and the driver's own
 * message cut short — never the query or its parameters (an INSERT carries user data). MikroORM
 * and knex prefix the message with the query, parameters inlined: that part is dropped.
 */
export function describeError(e: unknown, max = 160): string {
  if (!(e instanceof Error)) return typeof e === 'string' ? truncate(e, max) : 'non-error thrown';
  const x = e as Error & { code?: unknown; sqlState?: unknown; routine?: unknown };
  const code = x.sqlState ?? x.code;
  let message = e.message ?? '';
  const isDb = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
  // "insert into … values (…) - duplicate key value violates …": keep what follows the query.
  if (/^\s*(insert|update|delete|select|with|copy)\b/i.test(message)) {
    const cut = message.lastIndexOf(' - ');
    message = cut >= 0 ? message.slice(cut + 3) : '[query omitted]';
  }
  // Key (col)=(value) details name user data.
  message = message.replace(/\(([^()]*)\)=\([^)]*\)/g, '($1)=(…)').replace(/: "[^"]*"/g, ': "…"');
  return `${e.constructor?.name ?? e.name}${code !== undefined ? ` code=${String(code)}` : ''}${isDb ? ' (database)' : ''}: ${truncate(message, max)}`;
}

const EMAIL = /[\w.+-]+@[\w-]+(\.[\w-]+)+/g;
const PHONE = /\+\d[\d ()-]{6,18}\d/g;

const SQL = /\b(insert into|update|delete from|select)\s+["\w]/i;

/**
 * Masks e-mail addresses and international phone numbers that slipped into a message, and the
 * text of a failed query (knex/MikroORM put the statement, parameters inlined, before " - ").
 */
export function scrub(s: string): string {
  const q = SQL.exec(s);
  if (q) {
    const cut = s.lastIndexOf(' - ');
    s = cut > q.index ? `${s.slice(0, q.index)}[query omitted]${s.slice(cut)}` : s;
  }
  return s.replace(EMAIL, '[email]').replace(PHONE, '[phone]');
}

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
