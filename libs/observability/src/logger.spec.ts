import { Logger } from '@nestjs/common';
import { childSpan, currentTraceparent, parseTraceparent, setLogContext, withLogContext } from './log-context';
import { describeError, JsonLogger, scrub } from './logger';

function capture(format: 'json' | 'text' = 'json') {
  const lines: string[] = [];
  const logger = new JsonLogger({ app: 'test', format, level: 'debug', destination: { write: (l: string) => lines.push(l) } });
  return { logger, lines };
}

describe('JsonLogger', () => {
  it('writes one JSON object per line with the async context', async () => {
    const { logger, lines } = capture();
    await withLogContext({ requestId: 'r1', traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) }, async () => {
      setLogContext({ tenant: 'acme' });
      await new Promise((r) => setTimeout(r, 1));
      await withLogContext({ jobId: 'j1', attempt: 2 }, async () => logger.log('started', 'job-runner'));
      logger.warn('after');
    });
    logger.debug('outside');
    const [a, b, c] = lines.map((l) => JSON.parse(l));
    expect(a).toMatchObject({ level: 'info', app: 'test', context: 'job-runner', msg: 'started', requestId: 'r1', tenant: 'acme', jobId: 'j1', attempt: 2, traceId: 'a'.repeat(32) });
    expect(b).toMatchObject({ level: 'warn', msg: 'after', tenant: 'acme' });
    expect(b.jobId).toBeUndefined();
    expect(c).toMatchObject({ level: 'debug', msg: 'outside' });
    expect(c.requestId).toBeUndefined();
  });

  it('takes errors with stacks, honours levels, redacts data fields and masks addresses', () => {
    const { logger, lines } = capture();
    logger.error('boom', 'Error: boom\n    at x (y.js:1:1)', 'rpc');
    logger.log({ msg: 'obj', input: { text: 'secret resume' }, count: 3 });
    logger.log('mail to ada@example.com and +14155550123 failed');
    logger.warn(`handler failed: update "job" set "error" = '{"message":"Jane Roe said hi"}' where "id" = 'x' - deadlock detected`);
    logger.setLogLevels(['error']);
    logger.log('hidden');
    const parsed = lines.map((l) => JSON.parse(l));
    expect(parsed).toHaveLength(4);
    expect(parsed[3].msg).toBe('handler failed: [query omitted] - deadlock detected');
    expect(parsed[0]).toMatchObject({ level: 'error', context: 'rpc', err: { stack: expect.stringContaining('at x') } });
    expect(parsed[1]).toMatchObject({ msg: 'obj', input: '[redacted]', count: 3 });
    expect(parsed[2].msg).toBe('mail to [email] and [phone] failed');
    expect(lines.join('')).not.toMatch(/secret resume|Jane Roe/);
  });

  it('is used through Nest Logger instances, and LOG_FORMAT=text gives a readable line', () => {
    const { logger, lines } = capture('text');
    Logger.overrideLogger(logger);
    withLogContext({ jobId: 'j9' }, () => new Logger('jobs').log('hello'));
    Logger.overrideLogger(false as never);
    expect(lines[0]).toMatch(/^\S+ INFO  \[test\] jobs: hello {2}jobId=j9\n$/);
  });
});

describe('describeError', () => {
  it('drops the query and its parameters from a database error', () => {
    const e = Object.assign(new Error(`insert into "job" ("input", "notify") values ('{"text":"Ada Lovelace, ada@example.com"}', '{}') - duplicate key value violates unique constraint "job_pkey"`), { code: '23505' });
    class UniqueConstraintViolationException extends Error {}
    const wrapped = Object.assign(new UniqueConstraintViolationException(e.message), { code: '23505' });
    const out = describeError(wrapped);
    expect(out).toBe('UniqueConstraintViolationException code=23505 (database): duplicate key value violates unique constraint "job_pkey"');
    expect(describeError(Object.assign(new Error('Key (email)=(ada@example.com) already exists'), { code: '23505' }))).not.toContain('ada@');
    expect(describeError(new Error('x'.repeat(500))).length).toBeLessThan(200);
  });
});

describe('trace context', () => {
  it('parses, rejects and propagates traceparent', () => {
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', flags: '01' });
    expect(parseTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBeNull();
    expect(parseTraceparent('garbage')).toBeNull();
    const span = childSpan('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect(span).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7' });
    withLogContext(span, () => expect(currentTraceparent()).toBe(`00-${span.traceId}-${span.spanId}-01`));
    expect(childSpan(undefined).traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(currentTraceparent()).toBeUndefined();
  });

  it('makes fresh trace and span ids that a traceparent can carry, never the same twice', () => {
    const spans = Array.from({ length: 1000 }, () => childSpan(undefined));

    for (const s of spans) withLogContext(s, () => expect(parseTraceparent(currentTraceparent())).toEqual({ traceId: s.traceId, spanId: s.spanId, flags: '01' }));
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1000);
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(1000);
  });
});
