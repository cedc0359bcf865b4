import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JANE, JANE_TXT } from '@jobdesk/testing';
import { startStack, Stack } from '../support/stack';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '../..');
const CLI = join(ROOT, 'dist/libs/client/src/cli.js');
let stack: Stack;
let key: string;
let dir: string;

/** Runs the built `jobdesk` CLI as a user would. */
function jobdesk(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', JOBDESK_URL: stack.baseUrl, JOBDESK_API_KEY: key, ...env }, cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  // Every result a file in storage (no result is kept in the job's row): the other e2e files cover small inline results.
  stack = await startStack({ AUTH_REQUIRED: 'true', RESULT_INLINE_MAX_BYTES: '0' });
  const r = spawnSync(process.execPath, [join(ROOT, 'dist/apps/job-tracker/src/auth/keys.cli.js'), 'create', '--tenant', 'cli'], { env: stack.env, encoding: 'utf8' });
  expect(r.status).toBe(0);
  key = r.stdout.trim().split('\n').at(-1)!;
  dir = mkdtempSync(join(tmpdir(), 'jobdesk-cli-'));
  writeFileSync(join(dir, 'jane.txt'), JANE_TXT);
  writeFileSync(join(dir, 'blob.bin'), Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0, 0, 7, 9, 0x80, 0x81]));
});
afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await stack?.stop();
});

describe('jobdesk CLI', () => {
  it('submits a resume, waits for it and prints the parsed result', async () => {
    const r = await jobdesk(['submit', 'jane.txt', '--wait']);
    expect([r.code, r.stderr]).toEqual([0, expect.stringContaining('completed')]);
    const [idLine, ...rest] = r.stdout.split('\n');
    expect(idLine).toMatch(/^[0-9a-f-]{36}$/);
    const result = JSON.parse(rest.join('\n'));
    expect(result.basics).toMatchObject({ name: JANE.name, email: JANE.email });

    const status = await jobdesk(['status', idLine]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ id: idLine, status: 'completed', result_url: `/v1/jobs/${idLine}/result` });
    const again = await jobdesk(['result', idLine]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).basics.email).toBe(JANE.email);
    expect(JSON.parse(readFileSync(join(stack.env.STORAGE_DIR, 'results', `${idLine}.json`), 'utf8')).basics.email).toBe(JANE.email);
  });

  it('submits without --wait: prints only the id', async () => {
    const r = await jobdesk(['submit', join(dir, 'jane.txt'), '--metadata', '{"candidate":"c-1"}']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('explains problems from the API and exits 2', async () => {
    const blob = await jobdesk(['submit', 'blob.bin']);
    expect(blob.code).toBe(2);
    expect(blob.stderr).toMatch(/^jobdesk: 415 Unsupported Media Type: .*\(unsupported_media_type\)/);

    const unknown = await jobdesk(['status', '01939a52-7d0e-7b4c-9f4e-2a0d5c1e8f00']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/404 Not Found: .*\(not_found\)/);

    const noKey = await jobdesk(['status', '01939a52-7d0e-7b4c-9f4e-2a0d5c1e8f00'], { JOBDESK_API_KEY: '' });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/401 Unauthorized: .*\(unauthorized\)/);

    const down = await jobdesk(['status', 'x'], { JOBDESK_URL: 'http://127.0.0.1:9' });
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9/);
  });

  it('refuses bad usage with exit code 2', async () => {
    for (const args of [[], ['frobnicate'], ['status'], ['submit', 'missing.pdf'], ['submit', 'jane.txt', '--bogus']]) {
      const r = await jobdesk(args);
      expect([args, r.code]).toEqual([args, 2]);
      expect(r.stderr).toMatch(/jobdesk|usage/);
    }
    expect((await jobdesk(['--help'])).code).toBe(0);
  });
});
