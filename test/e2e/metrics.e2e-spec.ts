/**
 * Observability end to end: every app's /metrics while jobs flow (queue depth, job counters,
 * histograms, delivery counters), the static check that the Grafana dashboard, the alert rules
 * and the autoscaler query only metrics the apps export, and the JSON logs (request id, job id,
 * tenant and the caller's W3C trace id on the worker's lines; no personal data from a resume).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JANE, JANE_TXT } from '@jobdesk/testing';
import { APP_NAMES, AppName, startStack, Stack } from '../support/stack';
import { startSmtpServer, startWebhookReceiver } from '../support/receivers';
import { json, submitFile, submitJson, until, waitForEnd } from '../support/http';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '../..');
const NOOPS = 16;
const NOOP_MS = 300;

interface Sample { name: string; labels: Record<string, string>; value: number }
interface Scrape { samples: Sample[]; types: Map<string, string> }

function parseMetrics(text: string): Scrape {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const t = /^# TYPE (\S+) (\S+)/.exec(line);
    if (t) types.set(t[1], t[2]);
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return { samples, types };
}

let stack: Stack;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let hooks: Awaited<ReturnType<typeof startWebhookReceiver>>;

async function scrape(app: AppName): Promise<Scrape> {
  const res = await fetch(`http://127.0.0.1:${stack.ports[app]}/metrics`);
  expect(res.status).toBe(200);
  return parseMetrics(await res.text());
}

/** Sum of a metric's samples whose labels include `match`. */
function total(s: Scrape, name: string, match: Record<string, string> = {}): number {
  return s.samples.filter((x) => x.name === name && Object.entries(match).every(([k, v]) => x.labels[k] === v)).reduce((a, x) => a + x.value, 0);
}

beforeAll(async () => {
  smtp = await startSmtpServer();
  hooks = await startWebhookReceiver((path) => (path.startsWith('/gone') ? 410 : 200));
  stack = await startStack(
    {
      AUTH_REQUIRED: 'false',
      LOG_FORMAT: 'json',
      QUEUE_METRICS_INTERVAL_MS: '200',
      WORKER_CONCURRENCY: '2',
      SMTP_URL: smtp.url,
      MAIL_FROM: 'shop@example.com',
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    },
    { maxLogChunks: 20_000 },
  );
});

afterAll(async () => {
  await stack?.stop();
  await smtp?.close();
  await hooks?.close();
});

function dumpLogsOnFailure(err: unknown): never {
  const tail = Object.entries(stack.logs).map(([n, l]) => `--- ${n}\n${l.join('').split('\n').slice(-15).join('\n')}`).join('\n');
  throw new Error(`${(err as Error).message}\n${tail}`);
}

/** Every JSON log line an app wrote (a non-JSON line fails the test; Node's own warnings on stderr aside). */
function logLines(app: AppName): Array<Record<string, any>> {
  return stack.logs[app]
    .join('')
    .split('\n')
    .filter((l) => l.trim() && !/^\((node:\d+|Use `node)/.test(l))
    .map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        throw new Error(`${app} wrote a line that is not JSON: ${l.slice(0, 200)}`);
      }
    });
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACE_GONE = '0af7651916cd43dd8448eb211c80319c';
const exported = new Set<string>(['up']); // `up` is Prometheus' own, per scrape target

describe('metrics while jobs flow', () => {
  it('moves queue depth, job counters, histograms and delivery counters; logs carry ids and no personal data', async () => {
    try {
      const before = Object.fromEntries(await Promise.all(APP_NAMES.map(async (a) => [a, await scrape(a)] as const))) as Record<AppName, Scrape>;
      for (const a of APP_NAMES) {
        expect(total(before[a], 'process_cpu_seconds_total')).toBeGreaterThan(0);
        expect(before[a].samples.find((s) => s.name === 'process_cpu_seconds_total')?.labels.app).toBe(a);
      }

      const traceparent = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
      let maxBacklog = 0;
      let sawActive = false;
      const watching = (async () => {
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline) {
          const s = await scrape('job-tracker');
          const backlog = total(s, 'jobdesk_queue_jobs', { queue: 'noop', state: 'waiting' }) + total(s, 'jobdesk_queue_jobs', { queue: 'noop', state: 'prioritized' });
          maxBacklog = Math.max(maxBacklog, backlog);
          if (total(s, 'jobdesk_queue_jobs', { queue: 'noop', state: 'active' }) > 0) sawActive = true;
          if (maxBacklog > 0 && sawActive) return;
          await new Promise((r) => setTimeout(r, 100));
        }
      })();

      // All at once: a burst larger than the worker's concurrency, a backlog the sampler must see.
      const ids: string[] = await Promise.all(
        Array.from({ length: NOOPS }, async () => {
          const res = await fetch(`${stack.baseUrl}/v1/jobs`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', traceparent },
            body: JSON.stringify({ type: 'noop', input: { ms: NOOP_MS } }),
          });
          expect(res.status).toBe(202);
          return (await json(res)).id as string;
        }),
      );
      // Alongside: a resume with personal data in it and in its file name, an email, and a webhook.
      const resume = await json(await submitFile(stack.baseUrl, Buffer.from(JANE_TXT), 'jane-doe-private-cv.txt'));
      const email = await json(
        await submitJson(stack.baseUrl, {
          type: 'email.send',
          input: { to: 'ada.private@example.com', subject: 'Your order', text: 'Thanks' },
          notify: { webhook: `${hooks.url}/hooks/metrics` },
        }),
      );
      // A noop whose webhook receiver answers 410: the notifier's warning must carry the job and the submitter's trace.
      const goneRes = await fetch(`${stack.baseUrl}/v1/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', traceparent: `00-${TRACE_GONE}-b7ad6b7169203331-01` },
        body: JSON.stringify({ type: 'noop', input: { ms: 50 }, notify: { webhook: `${hooks.url}/gone` } }),
      });
      expect(goneRes.status).toBe(202);
      const gone = await json(goneRes);
      await watching;
      expect(maxBacklog).toBeGreaterThan(0);
      expect(sawActive).toBe(true);

      for (const id of ids) expect((await waitForEnd(stack.baseUrl, id, 60_000)).status).toBe('completed');
      expect((await waitForEnd(stack.baseUrl, resume.id, 60_000)).status).toBe('completed');
      expect((await waitForEnd(stack.baseUrl, email.id, 60_000)).status).toBe('completed');
      expect((await waitForEnd(stack.baseUrl, gone.id, 60_000)).status).toBe('completed');
      await until(() => hooks.received.length >= 2, 20_000);
      await until(() => logLines('notifier').some((l) => l.jobId === gone.id && l.level === 'warn'), 10_000);

      // The backlog drains: once sampled again, nothing waits or runs on the noop queue.
      await until(async () => {
        const s = await scrape('job-tracker');
        return ['waiting', 'prioritized', 'active'].every((state) => total(s, 'jobdesk_queue_jobs', { queue: 'noop', state }) === 0) &&
          total(s, 'jobdesk_queue_oldest_job_age_seconds', { queue: 'noop' }) === 0;
      }, 10_000);

      const after = Object.fromEntries(await Promise.all(APP_NAMES.map(async (a) => [a, await scrape(a)] as const))) as Record<AppName, Scrape>;

      const delta = (a: AppName, name: string, match: Record<string, string> = {}) => total(after[a], name, match) - total(before[a], name, match);

      // job-tracker: submissions, terminal statuses, wait before start
      expect(delta('job-tracker', 'jobdesk_jobs_submitted_total', { type: 'noop' })).toBe(NOOPS + 1);
      expect(delta('job-tracker', 'jobdesk_jobs_submitted_total', { type: 'resume.parse' })).toBe(1);
      expect(delta('job-tracker', 'jobdesk_jobs_finished_total', { type: 'noop', status: 'completed' })).toBe(NOOPS + 1);
      expect(delta('job-tracker', 'jobdesk_jobs_finished_total', { type: 'resume.parse', status: 'completed' })).toBe(1);
      expect(delta('job-tracker', 'jobdesk_job_wait_seconds_count', { type: 'noop' })).toBe(NOOPS + 1);
      // With 2 at a time and 300 ms each, the last of 16 waited for the 14 before it.
      expect(delta('job-tracker', 'jobdesk_job_wait_seconds_sum', { type: 'noop' })).toBeGreaterThan(((NOOPS - 2) / 2) * (NOOP_MS / 1000));
      expect(delta('job-tracker', 'jobdesk_job_wait_seconds_bucket', { type: 'noop', le: '+Inf' })).toBe(NOOPS + 1);

      // email-worker hosts noop and email.send: run-time histogram, attempts, email deliveries
      expect(delta('email-worker', 'jobdesk_job_run_seconds_count', { type: 'noop', outcome: 'completed' })).toBe(NOOPS + 1);
      expect(delta('email-worker', 'jobdesk_job_run_seconds_sum', { type: 'noop', outcome: 'completed' })).toBeGreaterThanOrEqual((NOOPS * NOOP_MS) / 1000);
      expect(delta('email-worker', 'jobdesk_job_run_seconds_bucket', { type: 'noop', outcome: 'completed', le: '0.25' })).toBeLessThanOrEqual(1); // only the 50 ms one
      expect(delta('email-worker', 'jobdesk_job_run_seconds_bucket', { type: 'noop', outcome: 'completed', le: '+Inf' })).toBe(NOOPS + 1);
      expect(delta('email-worker', 'jobdesk_worker_attempts_total', { type: 'noop', outcome: 'completed' })).toBe(NOOPS + 1);
      expect(delta('email-worker', 'jobdesk_email_deliveries_total', { outcome: 'sent' })).toBe(1);
      expect(delta('resume-parser', 'jobdesk_job_run_seconds_count', { type: 'resume.parse', outcome: 'completed' })).toBe(1);

      // gateway: the HTTP histogram by route pattern (never by job id)
      expect(delta('gateway', 'jobdesk_http_request_duration_seconds_count', { method: 'POST', route: '/v1/jobs', status: '202' })).toBe(NOOPS + 3);
      expect(after.gateway.samples.some((s) => s.name.startsWith('jobdesk_http') && ids.some((id) => s.labels.route?.includes(id)))).toBe(false);

      // notifier: the webhook delivery counter and its latency histogram
      expect(delta('notifier', 'jobdesk_webhook_deliveries_total', { outcome: 'delivered' })).toBe(1);
      expect(delta('notifier', 'jobdesk_webhook_deliveries_total', { outcome: 'gone' })).toBe(1);
      expect(delta('notifier', 'jobdesk_webhook_delivery_seconds_count')).toBe(2);

      // Logs: one JSON object per line; ids where they apply; the caller's trace reaches the worker.
      const gw = logLines('gateway');
      const posts = gw.filter((l) => l.context === 'http' && /^POST \/v1\/jobs 202/.test(l.msg));
      expect(posts).toHaveLength(NOOPS + 3);
      for (const l of posts) expect(l).toMatchObject({ app: 'gateway', level: 'info', requestId: expect.any(String), tenant: 'default', traceId: expect.stringMatching(/^[0-9a-f]{32}$/) });
      expect(posts.filter((l) => l.traceId === TRACE_ID)).toHaveLength(NOOPS);

      const worker = logLines('email-worker').filter((l) => l.context === 'job-runner' && /^noop attempt 1 completed/.test(l.msg) && l.jobId !== gone.id);
      expect(worker).toHaveLength(NOOPS);
      for (const l of worker) {
        expect(ids).toContain(l.jobId);
        expect(l).toMatchObject({ tenant: 'default', attempt: 1, traceId: TRACE_ID, correlationId: expect.any(String) });
      }
      const parsed = logLines('resume-parser').filter((l) => l.jobId === resume.id);
      expect(parsed.length).toBeGreaterThan(0);
      expect(parsed[0].traceId).toMatch(/^[0-9a-f]{32}$/);
      // gateway → tracker (NATS headers) → BullMQ → worker → event → tracker → notification → webhook delivery: one trace.
      const warned = logLines('notifier').find((l) => l.jobId === gone.id && l.level === 'warn');
      expect(warned).toMatchObject({ context: 'webhooks', tenant: 'default', traceId: TRACE_GONE });
      expect(logLines('email-worker').find((l) => l.jobId === gone.id)?.traceId).toBe(TRACE_GONE);
      expect(logLines('job-tracker').length).toBeGreaterThan(0);

      const everything = APP_NAMES.map((a) => stack.logs[a].join('')).join('\n');
      for (const secret of [JANE.email, JANE.name, 'jane-doe-private-cv', 'ada.private@example.com']) expect(everything).not.toContain(secret);
    } catch (e) {
      dumpLogsOnFailure(e);
    }
  });
});

/** Metric names in a PromQL expression: identifiers left once labels, ranges, strings and functions are gone. */
const PROMQL_WORDS = new Set([
  'sum', 'min', 'max', 'avg', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'group',
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset',
  'rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'histogram_quantile', 'absent', 'absent_over_time', 'clamp_min', 'clamp_max',
  'avg_over_time', 'max_over_time', 'min_over_time', 'sum_over_time', 'label_values', 'label_replace', 'vector', 'scalar', 'time', 'abs', 'round', 'predict_linear',
  'inf', 'nan',
]);
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/label_values\(([^,)]*),[^)]*\)/g, '$1')
    .replace(/\{\{[\s\S]*?\}\}/g, ' ') // Helm / Grafana legend templates
    .replace(/"(?:[^"\\]|\\.)*"/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\w+/g, ' ');
  return [...new Set((bare.match(/[a-zA-Z_:][\w:]*/g) ?? []).filter((w) => !PROMQL_WORDS.has(w.toLowerCase())))];
}

describe('dashboard, alert rules and autoscaler use only exported metrics', () => {
  const dashboard = JSON.parse(readFileSync(join(ROOT, 'helm/jobdesk/files/dashboards/jobdesk.json'), 'utf8'));
  const dashboardExprs: string[] = [
    ...dashboard.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => t.expr)),
    ...dashboard.templating.list.map((v: any) => (typeof v.query === 'object' ? v.query.query : undefined)).filter((q: any) => typeof q === 'string' && /\(/.test(q)),
  ];
  const ruleTemplate = readFileSync(join(ROOT, 'helm/jobdesk/templates/prometheusrule.yaml'), 'utf8');
  // Each `expr: |` block: the indented lines that follow it.
  const ruleExprs = [...ruleTemplate.matchAll(/expr: \|\n((?:[ \t]+\S.*\n)+?)(?=[ \t]*(?:for|labels|annotations):)/g)].map((m) => m[1]);
  const scaler = readFileSync(join(ROOT, 'helm/jobdesk/templates/scaledobject.yaml'), 'utf8');
  const scalerExprs = [...scaler.matchAll(/query: \{\{ printf "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\"/g, '"'));

  it('finds the queries', () => {
    expect(dashboardExprs.length).toBeGreaterThanOrEqual(16);
    expect(ruleExprs.length).toBeGreaterThanOrEqual(6);
    expect(scalerExprs.length).toBeGreaterThanOrEqual(1);
    expect(metricNames('histogram_quantile(0.95, sum by (le, route) (rate(jobdesk_http_request_duration_seconds_bucket{namespace="$namespace"}[5m])))')).toEqual(['jobdesk_http_request_duration_seconds_bucket']);
  });

  it('every metric they name is one an app exports (collected from the live /metrics of every app)', async () => {
    for (const a of APP_NAMES) {
      for (const [name, type] of (await scrape(a)).types) {
        exported.add(name);
        if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) exported.add(name + suffix);
        if (type === 'summary') for (const suffix of ['_sum', '_count']) exported.add(name + suffix);
      }
    }
    expect(exported.size).toBeGreaterThan(20); // the scrape ran
    const used = new Map<string, string>();
    for (const [where, exprs] of [['dashboard', dashboardExprs], ['PrometheusRule', ruleExprs], ['ScaledObject', scalerExprs]] as const) {
      for (const e of exprs) for (const n of metricNames(e)) used.set(n, `${where}: ${e.trim().slice(0, 120)}`);
    }
    const missing = [...used].filter(([n]) => !exported.has(n)).map(([n, where]) => `${n} (${where})`);
    expect(missing).toEqual([]);
    // And the list is covered by the dashboard or the rules.
    for (const name of ['jobdesk_jobs_submitted_total', 'jobdesk_jobs_finished_total', 'jobdesk_job_wait_seconds_bucket', 'jobdesk_job_run_seconds_bucket', 'jobdesk_queue_jobs', 'jobdesk_queue_oldest_job_age_seconds', 'jobdesk_webhook_deliveries_total', 'jobdesk_email_deliveries_total', 'jobdesk_http_request_duration_seconds_bucket']) {
      expect([...used.keys()]).toContain(name);
    }
  });
});
