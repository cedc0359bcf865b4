import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { startStack, Stack } from '../support/stack';
import { json } from '../support/http';

jest.setTimeout(180_000);

const ROOT = join(__dirname, '../..');
let stack: Stack;
let acme: string;
let globex: string;
let doc: any;

function createKey(tenant: string): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist/apps/job-tracker/src/auth/keys.cli.js'), 'create', '--tenant', tenant], { env: stack.env, encoding: 'utf8' });
  expect(r.status).toBe(0);
  return r.stdout.trim().split('\n').at(-1)!;
}
const auth = (key: string) => ({ authorization: `Bearer ${key}` });

interface Operation {
  method: string;
  path: string;
  op: any;
}
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
function operations(): Operation[] {
  return Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([m]) => METHODS.includes(m))
      .map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );
}
const secured = (o: Operation) => !(Array.isArray(o.op.security) && o.op.security.length === 0);

beforeAll(async () => {
  stack = await startStack({ AUTH_REQUIRED: 'true', RATE_LIMIT_PER_SECOND: '10000', SMTP_URL: 'smtp://127.0.0.1:9' });
  acme = createKey('acme');
  globex = createKey('globex');
  const res = await fetch(`${stack.baseUrl}/openapi.json`);
  expect(res.status).toBe(200);
  doc = await json(res);
});
afterAll(() => stack?.stop());

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 (served without an API key)', () => {
    // The validator is ESM-only: run it in a child process on the served document.
    const script = `import { Validator } from '@seriousme/openapi-schema-validator';
      let s = ''; for await (const c of process.stdin) s += c;
      const v = new Validator(); const r = await v.validate(JSON.parse(s));
      console.log(JSON.stringify({ valid: r.valid, version: v.version, errors: r.errors }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, input: JSON.stringify(doc), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out).toEqual({ valid: true, version: '3.1' });
    expect(doc.openapi).toMatch(/^3\.1\./);
  });

  it('lists every route the gateway serves, and no other', async () => {
    // Boot the gateway's module in-process against this stack and read Fastify's route table.
    const saved = { ...process.env };
    Object.assign(process.env, stack.env);
    const { NestFactory } = await import('@nestjs/core');
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    const { AppModule } = await import('../../apps/gateway/src/app.module');
    const adapter = new FastifyAdapter();
    const served = new Set<string>();
    adapter.getInstance().addHook('onRoute', (r) => {
      for (const m of [r.method].flat()) if (m !== 'HEAD' && m !== 'OPTIONS') served.add(`${m} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    });
    const app = await NestFactory.create(AppModule, adapter, { logger: false });
    try {
      await app.init();
    } finally {
      await app.close();
      process.env = saved;
    }
    const documented = new Set(operations().map((o) => `${o.method} ${o.path}`));
    // A failure here means a route was added or removed without apps/gateway/src/openapi/openapi.document.ts
    // (then `npm run gen:client` for libs/client).
    expect({ undocumented: [...served].filter((r) => !documented.has(r)).sort(), notServed: [...documented].filter((r) => !served.has(r)).sort() }).toEqual({ undocumented: [], notServed: [] });
  });

  it('is the one libs/client was generated from (npm run gen:client)', () => {
    const committed = JSON.parse(readFileSync(join(ROOT, 'libs/client/openapi.json'), 'utf8'));
    const ops = (d: any) => Object.entries(d.paths as Record<string, object>).flatMap(([p, item]) => Object.keys(item).map((m) => `${m} ${p}`)).sort();
    expect(ops(committed)).toEqual(ops(doc));
  });

  it('documents bearer auth, problem+json errors with codes, and examples for each job type', () => {
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    const submit = doc.paths['/v1/jobs'].post;
    expect(Object.keys(submit.requestBody.content['multipart/form-data'].examples)).toEqual(['resume.parse']);
    expect(Object.keys(submit.requestBody.content['application/json'].examples)).toEqual(['email.send-template', 'email.send-literal']);
    for (const o of operations().filter(secured)) {
      expect([o.path, o.op.responses['401']]).toEqual([o.path, { $ref: '#/components/responses/Unauthorized' }]);
    }
    for (const r of Object.values<any>(doc.components.responses)) {
      expect(r.content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
      expect(r['x-problem-codes'].length).toBeGreaterThan(0);
    }
    expect(doc.paths['/job'].post.deprecated).toBe(true);
  });

  it('serves /docs from the gateway itself with a CSP that allows only its own assets', async () => {
    const res = await fetch(`${stack.baseUrl}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/https?:/);
    const html = await res.text();
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(refs.filter((u) => /^(https?:)?\/\//.test(u))).toEqual([]);
    for (const u of refs) {
      const asset = await fetch(new URL(u, `${stack.baseUrl}/docs`));
      expect([u, asset.status]).toEqual([u, 200]);
    }
    expect((await fetch(`${stack.baseUrl}/docs/..%2Fpackage.json`)).status).toBe(404);
    const slash = await fetch(`${stack.baseUrl}/docs/`, { redirect: 'manual' });
    expect([slash.status, new URL(slash.headers.get('location')!, `${stack.baseUrl}/docs/`).pathname]).toEqual([308, '/docs']);
  });
});

/** A request for one operation: path params filled in, a body from the document's examples. */
function exampleRequest(o: Operation, id: string): { url: string; init: RequestInit } {
  const path = o.path.replace('{id}', id).replace('{asset}', 'swagger-ui.css');
  const content = o.op.requestBody?.content ?? {};
  if (content['application/json']) {
    const examples = Object.values<any>(content['application/json'].examples);
    const example: any = (examples[1] ?? examples[0]).value;
    // A job is held back an hour, so it stays queued while every operation is tried on it.
    const body = o.op.operationId.startsWith('submitJob') ? { ...example, run_at: new Date(Date.now() + 3_600_000).toISOString() } : example;
    return { url: path, init: { method: o.method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } };
  }
  return { url: path, init: { method: o.method } };
}

describe('tenant isolation over every operation in the document', () => {
  it("gives 404 or 401 and none of the data for another tenant's job, with the other's keys", async () => {
    const secret = `acme-secret-${Date.now()}`;
    const made = await fetch(`${stack.baseUrl}/v1/jobs`, {
      method: 'POST',
      headers: { ...auth(acme), 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'email.send', input: { to: 'a@example.com', subject: secret, text: secret }, metadata: { secret }, run_at: new Date(Date.now() + 3_600_000).toISOString() }),
    });
    expect(made.status).toBe(202);
    const { id } = await json(made);
    const ops = operations().filter(secured);
    expect(ops.length).toBeGreaterThanOrEqual(11);
    let checked = 0;
    for (const o of ops) {
      const { url, init } = exampleRequest(o, id);
      for (const [who, headers] of [
        ['globex', auth(globex)],
        ['no key', {}],
        ['acme key, mangled', auth(acme.slice(0, -6) + 'zzzzzz')],
      ] as const) {
        const res = await fetch(stack.baseUrl + url, { ...init, headers: { ...(init.headers as object), ...headers } });
        const text = await res.text();
        const label = `${o.method} ${o.path} as ${who}`;
        expect(text).not.toContain(secret);
        if (o.path.includes('{id}') || who !== 'globex') {
          // The id the caller sent may be echoed (detail, instance); nothing of the job may be.
          expect([label, text]).not.toEqual([label, expect.stringMatching(/"(metadata|created_at|links|result_url)"|"status":"queued"|acme/)]);
          expect([label, res.status]).toEqual([label, who === 'globex' ? 404 : 401]);
          expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        } else {
          // Collection routes answer globex with globex's own data only.
          expect([label, res.status < 300]).toEqual([label, true]);
          expect(text).not.toContain(id);
        }
        checked++;
      }
    }
    expect(checked).toBe(ops.length * 3);
    // acme's job is untouched by all of that.
    const still = await json(await fetch(`${stack.baseUrl}/v1/jobs/${id}`, { headers: auth(acme) }));
    expect(still).toMatchObject({ id, status: 'queued', metadata: { secret } });
  });
});

// ---- fuzzing -------------------------------------------------------------------------------

const junkString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '0', '-1', '1e999', 'NaN', 'null', 'true', '[]', '{}', '../../etc/passwd', '%00', '\u0000', '\uffff', '💥', 'ｔｅｓｔ', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999+14:00', '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-7fff-bfff-ffffffffffff'),
  fc.integer({ min: 1000, max: 6000 }).map((n) => 'x'.repeat(n)),
);
const junkValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    junkString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(junkString, fc.constantFrom('__proto__', 'constructor', 'to', 'type', 'input')), tie('v'), { maxKeys: 4 }),
  ),
})).v;

const validEmail = { type: 'email.send', input: { to: 'x@example.com', subject: 's', text: 't' }, run_at: '2999-01-01T00:00:00Z' };
/** A valid body with one field broken: removed, or swapped for junk of another type. */
const brokenBody = fc
  .record({
    field: fc.constantFrom('type', 'input', 'notify', 'metadata', 'priority', 'run_at', 'max_attempts', 'timeout_s', 'input.to', 'input.subject', 'input.text', 'input.template', 'input.data', 'extra'),
    value: fc.option(junkValue, { nil: undefined }),
  })
  .map(({ field, value }) => {
    const body: any = structuredClone(validEmail);
    const [a, b] = field.split('.');
    const target = b ? body[a] : body;
    const key = b ?? a;
    if (value === undefined) delete target[key];
    else target[key] = value;
    return JSON.stringify(body);
  });

const bodies = fc.oneof(
  brokenBody.map((b) => ({ ct: 'application/json', body: b as RequestInit['body'] })),
  junkValue.map((v) => ({ ct: 'application/json', body: JSON.stringify(v) ?? 'undefined' })),
  junkString.map((s) => ({ ct: 'application/json', body: s })),
  fc.record({ ct: fc.constantFrom('text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'multipart/form-data', 'multipart/form-data; boundary=zzz', 'image/png', 'application/octet-stream', ''), body: junkString }),
  fc
    .record({
      fields: fc.dictionary(fc.constantFrom('type', 'callback_url', 'metadata', 'priority', 'file2', 'x'), junkString, { maxKeys: 4 }),
      type: fc.constantFrom('resume.parse', 'email.send', 'nope', ''),
      file: fc.option(fc.uint8Array({ maxLength: 2000 }), { nil: undefined }),
      filename: junkString,
    })
    .map(({ fields, type, file, filename }) => {
      const form = new FormData();
      form.append('type', type);
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      if (file) form.append('file', new Blob([file]), filename);
      return { ct: undefined as string | undefined, body: form as RequestInit['body'] };
    }),
);

const headerSafe = (s: string) => s.replace(/[^\x20-\x7e]/g, '').slice(0, 4000);

describe('fuzzing every operation with bad inputs', () => {
  it('never answers 5xx, and every error is problem+json with a code', async () => {
    const ops = operations().filter((o) => o.path !== '/docs/{asset}' && o.path !== '/metrics');
    // One example per operation and kind of failure, so a systematic bug reads as one line.
    const failures = new Map<string, string>();
    const fail = (kind: string, status: number, label: string) => {
      const k = `${kind} ${o_.method} ${o_.path} ${status}`;
      if (!failures.has(k)) failures.set(k, label.slice(0, 400));
    };
    let o_: Operation = ops[0];
    let requests = 0;
    for (const o of ops) {
      o_ = o;
      const runs = o.method === 'POST' ? 60 : 20;
      await fc.assert(
        fc.asyncProperty(
          junkString,
          fc.dictionary(fc.oneof(junkString, fc.constantFrom('status', 'type', 'limit', 'cursor', 'created_after', 'created_before', 'metadata.k', 'purge', 'follow', 'last_event_id')), junkString, { maxKeys: 4 }),
          fc.record({ idem: fc.option(junkString.map(headerSafe), { nil: undefined }), lastEventId: fc.option(junkString.map(headerSafe), { nil: undefined }), prefer: fc.option(fc.constant('return=redirect'), { nil: undefined }), badAuth: fc.integer({ min: 0, max: 9 }).map((n) => n === 0) }),
          bodies,
          async (id, query, h, b) => {
            const path = o.path.replace('{id}', encodeURIComponent(id.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '?')) || '%20');
            const qs = new URLSearchParams(query).toString();
            const headers: Record<string, string> = h.badAuth ? { authorization: 'Bearer ' + headerSafe(id || 'x') } : auth(globex);
            if (h.idem !== undefined) headers['idempotency-key'] = h.idem;
            if (h.lastEventId !== undefined) headers['last-event-id'] = h.lastEventId;
            if (h.prefer) headers.prefer = h.prefer;
            const init: RequestInit = { method: o.method, headers, signal: AbortSignal.timeout(10_000) };
            if (o.method === 'POST' || o.method === 'DELETE') {
              if (b.ct !== undefined) headers['content-type'] = b.ct;
              init.body = b.body;
            }
            requests++;
            const res = await fetch(`${stack.baseUrl}${path}${qs ? `?${qs}` : ''}`, init);
            const text = await res.text();
            const label = `${o.method} ${path.slice(0, 120)}?${qs.slice(0, 120)} → ${res.status} ${text.slice(0, 200)}`;
            if (res.status >= 500) fail('5xx', res.status, label);
            else if (res.status >= 400) {
              let code: unknown;
              try {
                code = JSON.parse(text).code;
              } catch {
                /* not JSON */
              }
              if (!res.headers.get('content-type')?.startsWith('application/problem+json') || typeof code !== 'string') fail('not problem+json', res.status, label);
            }
          },
        ),
        { numRuns: runs, seed: Number(process.env.FUZZ_SEED ?? 42), endOnFailure: true },
      );
    }
    expect(Object.fromEntries(failures)).toEqual({});
    expect(requests).toBeGreaterThan(300);
  });

  it('survives hand-picked nasty inputs', async () => {
    const later = '2999-01-01T00:00:00Z';
    const email = { to: 'x@example.com', subject: 's', text: 't' };
    const cases: Array<[string, string, Record<string, string>, RequestInit['body']?]> = [
      ['POST', '/v1/jobs', { 'content-type': 'application/json' }, JSON.stringify({ type: 'email.send', input: email, run_at: '0000-01-01T00:00:00Z' })],
      ['POST', '/v1/jobs', { 'content-type': 'application/json' }, JSON.stringify({ type: 'email.send', input: email, run_at: '9999-12-31T23:59:59.999-14:00' })],
      ['POST', '/v1/jobs', { 'content-type': 'application/json' }, JSON.stringify({ type: 'email.send', input: email, run_at: later, metadata: { k: 'a\u0000b' } })],
      ['POST', '/v1/jobs', { 'content-type': 'application/json' }, JSON.stringify({ type: 'email.send', input: { ...email, text: 'nul \u0000 byte' }, run_at: later })],
      ['POST', '/v1/jobs', { 'content-type': 'application/json' }, JSON.stringify({ type: 'email.send', input: email, run_at: later, metadata: { 'k\u0000': 1e308 } })],
      ['POST', '/v1/jobs', { 'content-type': 'application/json' }, '{"type":"email.send","input":' + '['.repeat(5000) + ']'.repeat(5000) + '}'],
      ['POST', '/v1/jobs', { 'content-type': 'application/json' }, JSON.stringify({ type: 'email.send', input: email, run_at: later, notify: { webhook: 'http://' + 'a'.repeat(2000) } })],
      ['POST', '/v1/jobs', { 'content-type': 'multipart/form-data; boundary=x' }, 'not multipart at all'],
      ['POST', '/v1/jobs', { 'content-type': 'multipart/form-data; boundary=x' }, '--x\r\nContent-Disposition: form-data; name="type"\r\n\r\nresume.parse\r\n--x\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nJane'],
      ['POST', '/v1/jobs', { 'content-type': 'multipart/form-data' }, 'x'],
      ['POST', '/v1/jobs', { 'content-type': 'application/json' }, '{"type":"email.send","__proto__":{"x":1}}'],
      ['GET', '/v1/jobs?created_after=0000-01-01T00:00:00Z', {}],
      ['GET', '/v1/jobs?created_before=9999-12-31T23:59:59-14:00', {}],
      ['GET', '/v1/jobs?metadata.k=%00', {}],
      ['GET', '/v1/jobs?metadata.%00=1', {}],
      ['GET', '/v1/jobs?status=queued&status=failed', {}],
      ['GET', '/v1/jobs?limit=1e2', {}],
      ['GET', '/v1/jobs?cursor=%00%00', {}],
      ['GET', '/v1/jobs/%00', {}],
      ['GET', '/v1/jobs/%ZZ', {}],
      ['GET', '/v1/jobs/00000000-0000-0000-0000-000000000000/events?last_event_id=999999999999999', {}],
      ['GET', '/v1/jobs/00000000-0000-0000-0000-000000000000', { 'last-event-id': '-1', prefer: 'return=redirect' }],
      ['DELETE', '/v1/jobs/00000000-0000-0000-0000-000000000000?purge=true&purge=false', {}],
    ];
    const bad: string[] = [];
    for (const [method, path, headers, body] of cases) {
      let res: Response;
      let text: string;
      try {
        res = await fetch(stack.baseUrl + path, { method, headers: { ...auth(globex), ...headers }, body, signal: AbortSignal.timeout(5_000) });
        text = await res.text();
      } catch (e) {
        bad.push(`${method} ${path.slice(0, 80)} ${String(body).slice(0, 80)} → ${(e as Error).name}`);
        continue;
      }
      const ok = res.status < 500 && (res.status < 400 || (res.headers.get('content-type')?.startsWith('application/problem+json') && typeof JSON.parse(text).code === 'string'));
      if (!ok) bad.push(`${method} ${path.slice(0, 80)} ${String(body).slice(0, 80)} → ${res.status} ${text.slice(0, 200)}`);
    }
    if (bad.length && process.env.FUZZ_LOGS) console.log(stack.logs.gateway.join('').slice(-6000), stack.logs['job-tracker'].join('').slice(-6000));
    expect(bad).toEqual([]);
  });

  it('answers oversized URLs and headers with problem+json too', async () => {
    for (const [url, headers] of [
      [`/v1/jobs/${'a'.repeat(20_000)}`, auth(globex)],
      ['/v1/jobs', { ...auth(globex), 'x-junk': 'b'.repeat(20_000) }],
    ] as const) {
      const res = await fetch(stack.baseUrl + url, { headers });
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
  });
});
