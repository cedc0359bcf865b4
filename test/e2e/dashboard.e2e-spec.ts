// The dashboard in a real browser: Debian's headless Chromium driven by playwright-core (which
// never downloads a browser), against the five apps started from dist/ (`npm run build` first:
// it also builds dist/dashboard). Screenshots of the main views go to .artifacts/screenshots/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, Browser, BrowserContext, Page } from 'playwright-core';
import { JANE, JANE_TXT } from '@jobdesk/testing';
import { startStack, Stack } from '../support/stack';
import { startWebhookReceiver } from '../support/receivers';
import { until } from '../support/http';

jest.setTimeout(180_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(__dirname, '../../.artifacts/screenshots');

let stack: Stack;
let key: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let resumeJobId: string;

function createKey(tenant: string): string {
  const r = spawnSync(process.execPath, [join(__dirname, '../../dist/apps/job-tracker/src/auth/keys.cli.js'), 'create', '--tenant', tenant], { env: stack.env, encoding: 'utf8' });
  expect(r.status).toBe(0);
  return r.stdout.trim().split('\n').at(-1)!;
}

async function postJson(body: unknown): Promise<{ id: string }> {
  const res = await fetch(`${stack.baseUrl}/v1/jobs`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(202);
  return (await res.json()) as { id: string };
}

const shot = (name: string, p: Page = page) => p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
/** The job page's status badge text, or null while it is not shown. */
const statusOf = (p: Page = page) => ({ textContent: () => p.locator('#job-status .badge').textContent({ timeout: 1000 }).catch(() => null) });

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's browser with \`apt-get update && apt-get install -y chromium\` (or set CHROMIUM_PATH); the dashboard tests never download one`);
  }
  if (!existsSync(join(__dirname, '../../dist/dashboard/index.html'))) throw new Error('dist/dashboard is missing: run `npm run build` first');
  mkdirSync(SHOTS, { recursive: true });
  receiver = await startWebhookReceiver();
  stack = await startStack({ AUTH_REQUIRED: 'true', RATE_LIMIT_PER_SECOND: '200', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', SMTP_URL: 'smtp://127.0.0.1:9' });
  key = createKey('acme');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await receiver?.close();
});

describe('dashboard', () => {
  it('is served at / with its own CSP, and asks for an API key', async () => {
    const res = await fetch(`${stack.baseUrl}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(await res.text())![1];
    const js = await fetch(stack.baseUrl + asset);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${stack.baseUrl}/assets/..%2f..%2fpackage.json`)).status).toBe(404);

    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && !/401|Unauthorized/.test(m.text()) && errors.push(m.text()));
    await page.goto(stack.baseUrl + '/');
    await page.getByLabel('API key').waitFor();
    await shot('01-sign-in');
    // A wrong key is refused and not kept.
    await page.getByLabel('API key').fill('jdk_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That key was not accepted.').waitFor();
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Parse a resume' }).waitFor();
    expect(page.url()).not.toContain(key);
    expect(await page.evaluate("sessionStorage.getItem('jobdesk.apiKey')")).toBe(key);
    expect(errors).toEqual([]);
  });

  it('submits a resume by file input and follows it live to the parsed card', async () => {
    // A value may hold '=' (the API takes any string).
    await page.getByLabel('Metadata (optional)').fill('batch=e2e, note=a=b');
    await page.setInputFiles('#resume-file', { name: 'jane.txt', mimeType: 'text/plain', buffer: Buffer.from(JANE_TXT) });
    await page.waitForURL(/#\/jobs\/[0-9a-f-]{36}$/);
    resumeJobId = /#\/jobs\/([0-9a-f-]{36})$/.exec(page.url())![1];
    const stored = (await (await fetch(`${stack.baseUrl}/v1/jobs/${resumeJobId}`, { headers: { authorization: `Bearer ${key}` } })).json()) as { metadata: unknown };
    expect(stored.metadata).toEqual({ batch: 'e2e', note: 'a=b' });
    // The ticket shows at once; SSE brings it to completed with a full progress bar.
    await page.getByRole('heading', { name: new RegExp(resumeJobId) }).waitFor();
    await until(async () => (await statusOf().textContent()) === 'completed', 60_000);
    expect(await page.locator('#job-progress').evaluate((e) => (e as unknown as { value: number }).value)).toBe(100);
    const card = page.getByRole('article', { name: 'Parsed resume' });
    await card.waitFor();
    expect(await card.locator('[data-field=name]').textContent()).toBe(JANE.name);
    expect(await card.locator('[data-field=email]').textContent()).toBe(JANE.email);
    expect(await page.locator('pre.json').textContent()).toContain(JANE.email);
    // The original file, fetched with the key and shown beside the result.
    await page.getByRole('button', { name: 'Show original file' }).click();
    await page.locator('pre.original').waitFor();
    expect(await page.locator('pre.original').textContent()).toContain('Jane Q Doe');
    // The timeline has the transitions.
    await until(async () => (await page.locator('.timeline li').count()) >= 3, 10_000);
    await shot('02-job-completed');
  });

  it('filters the list by metadata and status, with counts and charts', async () => {
    const other = await postJson({ type: 'noop', input: {}, metadata: { batch: 'other' } });
    await page.goto(stack.baseUrl + '/#/');
    await page.locator(`tr[data-id="${other.id}"]`).waitFor();
    await page.locator(`tr[data-id="${resumeJobId}"]`).waitFor();
    await page.getByLabel('Metadata', { exact: true }).fill('batch=e2e');
    await page.getByRole('button', { name: 'Apply' }).click();
    await until(async () => (await page.locator('tbody tr[data-id]').count()) === 1, 10_000);
    expect(await page.locator('tbody tr[data-id]').getAttribute('data-id')).toBe(resumeJobId);
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Status', { exact: true }).selectOption('completed');
    await page.getByLabel('Type', { exact: true }).selectOption('resume.parse');
    await page.getByRole('button', { name: 'Apply' }).click();
    await until(async () => (await page.locator('tbody tr[data-id]').count()) === 1, 10_000);
    // Search narrows what is loaded, client side.
    await page.getByRole('button', { name: 'Clear' }).click();
    await until(async () => (await page.locator('tbody tr[data-id]').count()) === 2, 10_000);
    await page.getByLabel('Search').fill(other.id.slice(0, 13));
    await until(async () => (await page.locator('tbody tr[data-id]').count()) === 1, 10_000);
    await page.getByLabel('Search').fill('');
    await until(async () => Number(await page.locator('.count[data-status=completed] dd').textContent()) >= 1, 15_000);
    expect(await page.locator('svg.chart').count()).toBe(2);
    await shot('03-jobs-list');
    // On a phone (the same tab: the key lives in this tab's sessionStorage).
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator(`tr[data-id="${resumeJobId}"]`).waitFor();
    await shot('04-phone-list');
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.goto(`${stack.baseUrl}/#/jobs/${resumeJobId}`);
    await page.getByRole('article', { name: 'Parsed resume' }).waitFor();
    await shot('05-phone-job');
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('cancels a queued job', async () => {
    const { id } = await postJson({ type: 'email.send', input: { to: 'x@example.com', subject: 's', text: 't' }, run_at: new Date(Date.now() + 3_600_000).toISOString() });
    await page.goto(`${stack.baseUrl}/#/jobs/${id}`);
    await until(async () => (await statusOf().textContent()) === 'queued', 10_000);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Cancel job' }).click();
    await until(async () => (await statusOf().textContent()) === 'canceled', 10_000);
    await page.getByRole('button', { name: 'Retry' }).waitFor();
    await until(async () => (await page.locator('.timeline li').count()) >= 2, 10_000);
    await shot('06-job-canceled');
    const res = await fetch(`${stack.baseUrl}/v1/jobs/${id}`, { headers: { authorization: `Bearer ${key}` } });
    expect(((await res.json()) as { status: string }).status).toBe('canceled');
  });

  it('shows webhook deliveries and redelivers one', async () => {
    const { id } = await postJson({ type: 'noop', input: {}, notify: { webhook: `${receiver.url}/hooks/e2e` } });
    await page.goto(`${stack.baseUrl}/#/jobs/${id}`);
    await until(async () => (await statusOf().textContent()) === 'completed', 30_000);
    await page.locator('table.deliveries tbody tr').first().waitFor({ timeout: 30_000 });
    const before = receiver.received.filter((r) => r.path === '/hooks/e2e').length;
    expect(before).toBeGreaterThanOrEqual(1);
    await page.getByRole('button', { name: 'Redeliver webhook' }).click();
    await until(() => receiver.received.filter((r) => r.path === '/hooks/e2e').length > before, 30_000);
    await until(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      return (await page.locator('table.deliveries tbody tr').count()) >= 2;
    }, 30_000);
    await shot('07-job-deliveries');
  });
});
