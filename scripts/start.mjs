#!/usr/bin/env node
// `npm start`: runs the migrations, then the five apps as separate processes, each with its
// own port, their output prefixed with the app's name. Ctrl-C (or SIGTERM) stops them all
// gracefully. Every setting is an environment variable (see README); none is needed locally.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (app, file = 'main.js') => join(root, 'dist/apps', app, 'src', file);
// The gateway listens on PORT (default 3000); the others on the next four ports.
const base = Number(process.env.PORT ?? 3000);
export const APPS = [
  { name: 'job-tracker', port: base + 1 },
  { name: 'resume-parser', port: base + 2 },
  { name: 'email-worker', port: base + 3 },
  { name: 'notifier', port: base + 4 },
  { name: 'gateway', port: base },
];
const COLORS = [36, 35, 33, 32, 34];

if (!existsSync(dist('gateway'))) {
  console.error('dist/ is missing: run `npm run build` first (npm start does it for you)');
  process.exit(1);
}

const migrate = spawnSync(process.execPath, [dist('job-tracker', 'migrate.js')], { stdio: 'inherit' });
if (migrate.status !== 0) {
  console.error('migrations failed: is PostgreSQL running and DATABASE_URL right? (default postgres://postgres@127.0.0.1:5432/jobdesk)');
  process.exit(migrate.status ?? 1);
}

// Local use without API keys must be a choice: npm start makes it, production (Helm) never does.
const env = {
  ...process.env,
  AUTH_REQUIRED: process.env.AUTH_REQUIRED ?? 'false',
  // Without keys, listen on this machine only (HOST=0.0.0.0 to open it up on purpose).
  HOST: process.env.HOST ?? '127.0.0.1',
  // Links in webhooks point at this gateway, wherever PORT put it.
  PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${base}`,
};
if (env.AUTH_REQUIRED === 'false') {
  console.log('dev mode: AUTH_REQUIRED=false, every caller is tenant "default" (set AUTH_REQUIRED=true and use `npm run keys` for API keys)');
}

/** How long the apps get to finish the work in hand after Ctrl-C / SIGTERM. */
const STOP_GRACE_MS = 15_000;
let stopping = false;
const children = new Map();

/** Starts one app; if it dies on its own, starts it again (like a process supervisor would). */
function launch({ name, port }, i, restarts = 0) {
  const child = spawn(process.execPath, ['--enable-source-maps', dist(name)], {
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.set(name, child);
  const tag = `\x1b[${COLORS[i]}m${name.padEnd(13)}\x1b[0m|`;
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream.on('data', (d) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop();
      for (const line of lines) process.stdout.write(`${tag} ${line}\n`);
    });
  }
  const startedAt = Date.now();
  child.on('exit', (code, signal) => {
    if (stopping) return;
    // A crash right after start (bad config, port taken) would loop: back off, then give up.
    const again = Date.now() - startedAt > 30_000 ? 0 : restarts + 1;
    if (again > 5) {
      console.error(`${tag} exited (${signal ?? code}) ${again} times in a row; stopping everything`);
      return stop(1);
    }
    const delay = Math.min(10_000, 500 * 2 ** again);
    console.error(`${tag} exited (${signal ?? code}); restarting in ${delay} ms`);
    setTimeout(() => !stopping && launch({ name, port }, i, again), delay);
  });
}
APPS.forEach((app, i) => launch(app, i));

const running = (c) => c.exitCode === null && c.signalCode === null;

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  const all = [...children.values()];
  for (const c of all) if (running(c)) c.kill('SIGTERM');
  const timer = setTimeout(() => {
    const busy = [...children].filter(([, c]) => running(c)).map(([name]) => name);
    console.error(`still busy after ${STOP_GRACE_MS / 1000} s, stopped hard: ${busy.join(', ')} (their jobs in hand run again once a worker is back: BullMQ's stall check)`);
    for (const c of all) if (running(c)) c.kill('SIGKILL');
    process.exit(code || 1);
  }, STOP_GRACE_MS);
  Promise.all(all.map((c) => (running(c) ? new Promise((r) => c.on('exit', r)) : null))).then(() => {
    clearTimeout(timer);
    process.exit(code);
  });
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

// Tell the user where to go once the gateway and tracker answer as ready.
const gateway = `http://127.0.0.1:${APPS.at(-1).port}`;
const started = Date.now();
const poll = setInterval(async () => {
  try {
    const ready = await Promise.all(APPS.map((a) => fetch(`http://127.0.0.1:${a.port}/health/ready`).then((r) => r.ok)));
    if (ready.every(Boolean)) {
      clearInterval(poll);
      console.log(`\njobdesk is ready: ${gateway} (submit with: curl -F type=resume.parse -F file=@resume.pdf ${gateway}/v1/jobs)\n`);
    }
  } catch {
    /* not up yet */
  }
  if (Date.now() - started > 60_000) {
    clearInterval(poll);
    console.error('jobdesk did not become ready within 60 s: see the errors above');
  }
}, 500);
