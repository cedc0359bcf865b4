#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --only submit,status] [-- --dist DIR]`: runs every bench/cases/*.bench.mjs in
// its own process against a snapshot of the built apps, collects their JSON, prints one table and
// writes .artifacts/bench.json. --quick is a smoke run (1 pair, short windows) that asserts
// nothing about speed; a full run marks each ratio pass/fail against its goal but still exits 0
// unless a case crashed. Needs `npm run build` first and PostgreSQL, Redis and NATS running.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { ROOT } from './lib/bench.mjs';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const onlyIdx = args.indexOf('--only');
const ONLY = onlyIdx >= 0 ? args[onlyIdx + 1].split(',') : null;
const distIdx = args.indexOf('--dist');
// --dist DIR: take the built apps from elsewhere (e.g. a worktree) instead of ./dist.
const SOURCE_DIST = distIdx >= 0 ? args[distIdx + 1] : join(ROOT, 'dist');
const CASE_TIMEOUT_MS = Number(process.env.BENCH_CASE_TIMEOUT_MS || (QUICK ? 180_000 : 240_000));
const ARTIFACTS = join(ROOT, '.artifacts');
// Full-run options of cases that take their own (parse.bench.mjs: the corpus at 15 iterations
// alone would take most of the 10 minutes; OCR scans take ~8 s each: run it alone for those).
const CASE_ARGS = { 'parse.bench.mjs': ['--iterations', '3', '--burst', '16', '--no-ocr'] };

// A private copy of dist: others' `npm run build` (rm -rf dist) must not pull the apps away mid-run.
// The cases run with this folder as their working directory (dist, package.json, node_modules).
const SNAP = join(ARTIFACTS, 'bench-root');
function snapshot() {
  const main = join(SOURCE_DIST, 'apps/gateway/src/main.js');
  if (!existsSync(main)) throw new Error(`${SOURCE_DIST} not found: run \`npm run build\` first`);
  if (readFileSync(main, 'utf8').includes('@jobdesk/')) throw new Error('dist/ has unresolved @jobdesk/ imports (a failed build?): run `npm run build`');
  rmSync(SNAP, { recursive: true, force: true });
  mkdirSync(SNAP, { recursive: true });
  cpSync(SOURCE_DIST, join(SNAP, 'dist'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(SNAP, 'node_modules'));
  symlinkSync(join(ROOT, 'package.json'), join(SNAP, 'package.json'));
}

function runCaseFile(file) {
  return new Promise((resolve) => {
    const resultPath = join(ARTIFACTS, `bench-${file.replace('.bench.mjs', '')}.result.json`);
    rmSync(resultPath, { force: true });
    const started = Date.now();
    const child = spawn(process.execPath, [join(ROOT, 'bench/cases', file), ...(QUICK ? ['--quick'] : CASE_ARGS[file] ?? [])], {
      cwd: SNAP,
      env: { ...process.env, BENCH_RESULT: resultPath, BENCH_DIST: join(SNAP, 'dist'), ...(QUICK ? { BENCH_QUICK: '1' } : {}) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      process.stderr.write(d);
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), CASE_TIMEOUT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const seconds = Math.round((Date.now() - started) / 100) / 10;
      let result = null;
      if (existsSync(resultPath)) result = JSON.parse(readFileSync(resultPath, 'utf8'));
      else result = foreignResult(file, stdout);
      resolve({ file, code: code ?? signal, seconds, result });
    });
  });
}

/** Cases that do not use bench/lib (parse.bench.mjs) announce their JSON as "wrote <path>". */
function foreignResult(file, stdout) {
  const m = /wrote (\S+\.json)/.exec(stdout);
  if (!m) return null;
  const report = JSON.parse(readFileSync(join(SNAP, m[1]), 'utf8'));
  if (!report.pool) return { case: file, raw: report, rows: [] };
  const c = report.checks ?? {};
  const all = report.perFormat?.find((r) => r.group === 'all text PDFs');
  const corpus = report.perFormat?.find((r) => r.group === 'corpus pdf');
  const loop = report.pool.eventLoopDelayMs ?? {};
  const idle = report.pool.idleEventLoopDelayMs ?? {};
  const median = c.textPdfMedianMs ?? null;
  return {
    case: 'parse',
    raw: report,
    rows: [
      { case: 'parse', metric: 'text PDF median', unit: 'ms', product: median, bare: all?.bareMedianMs ?? null, ratio: all?.ratio ?? null, goal: '≤ 80 ms', pass: QUICK || median === null ? null : median <= 80, note: 'bare = pdfjs getTextContent alone, paired' },
      { case: 'parse', metric: 'text PDF p95', unit: 'ms', product: c.textPdfP95Ms ?? null, bare: all?.bareP95Ms ?? null, ratio: null, goal: null, pass: null },
      ...(corpus ? [{ case: 'parse', metric: 'corpus PDF median', unit: 'ms', product: corpus.medianMs, bare: corpus.bareMedianMs, ratio: corpus.ratio, goal: null, pass: null }] : []),
      { case: 'parse', metric: 'pool', unit: 'docs/s', product: report.pool.docsPerSecond, bare: null, ratio: null, goal: null, pass: null, note: `${report.pool.documents} one-page text PDFs on ${report.pool.threads} threads` },
      { case: 'parse', metric: 'main loop delay p99', unit: 'ms', product: loop.p99 ?? null, bare: idle.p99 ?? null, ratio: loop.p99 && idle.p99 ? loop.p99 / idle.p99 : null, goal: null, pass: null, note: 'during the burst; bare = same window, pool idle' },
    ],
  };
}

const fmt = (x) => (x === null || x === undefined || Number.isNaN(x) ? '-' : typeof x === 'number' ? (Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en') : String(Math.round(x * 100) / 100)) : String(x));

function printTable(rows) {
  const cols = [
    ['case', (r) => r.case],
    ['figure', (r) => `${r.metric} (${r.unit})`],
    ['product', (r) => fmt(r.product)],
    ['bare', (r) => fmt(r.bare)],
    ['ratio', (r) => (r.ratio === null || r.ratio === undefined ? '-' : `${r.ratio.toFixed(2)}×`)],
    ['goal', (r) => r.goal ?? 'report'],
    ['result', (r) => (r.pass === true ? 'pass' : r.pass === false ? 'FAIL' : QUICK && r.goal ? '(quick)' : '-')],
  ];
  const cells = rows.map((r) => cols.map(([, f]) => f(r)));
  const widths = cols.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (vals) => vals.map((v, i) => (i < 2 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  console.log(line(cols.map(([h]) => h)));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
}

const started = new Date();
mkdirSync(ARTIFACTS, { recursive: true });
snapshot();
const files = readdirSync(join(ROOT, 'bench/cases'))
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => !ONLY || ONLY.includes(f.replace('.bench.mjs', '')))
  .sort();
const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
})();
const machine = { cores: availableParallelism(), node: process.version, loadavgBefore: loadavg().map((x) => Math.round(x * 100) / 100) };
const NOTE = `The load generator (autocannon, undici clients) runs on the same ${machine.cores} cores as the apps, the bare servers, PostgreSQL, Redis and NATS: absolute figures move with the machine's load; only the per-pair ratios, measured side by side (bare, product, bare, product…, each side in fresh processes), mean anything.`;
console.error(`bench: ${files.length} cases${QUICK ? ' (quick: smoke run, asserts nothing about speed)' : ''}; load average ${machine.loadavgBefore.join(' ')}`);
console.error(NOTE);

const results = [];
for (const f of files) {
  console.error(`\n=== ${f}`);
  const r = await runCaseFile(f);
  console.error(`=== ${f}: exit ${r.code} in ${r.seconds} s`);
  results.push(r);
}
machine.loadavgAfter = loadavg().map((x) => Math.round(x * 100) / 100);
const rows = results.flatMap((r) => r.result?.rows ?? []);
const failed = results.filter((r) => r.code !== 0 || !r.result);
const report = {
  at: started.toISOString(),
  seconds: Math.round((Date.now() - started.getTime()) / 1000),
  quick: QUICK,
  commit,
  dist: SOURCE_DIST,
  machine,
  note: NOTE,
  rows,
  cases: results.map((r) => ({ file: r.file, exit: r.code, seconds: r.seconds, result: r.result })),
};
writeFileSync(join(ARTIFACTS, 'bench.json'), JSON.stringify(report, null, 2));

console.log(`\njobdesk bench${QUICK ? ' --quick (smoke run: figures too short to judge, nothing asserted)' : ''} — commit ${commit} (apps from ${SOURCE_DIST}), ${report.seconds} s, node ${machine.node}, ${machine.cores} cores, load average ${machine.loadavgBefore.join('/')} before, ${machine.loadavgAfter.join('/')} after`);
console.log(NOTE);
console.log('ratio = median over pairs of product/bare; ≥ goals are throughput, ≤ goals are latency.\n');
printTable(rows);
for (const r of failed) console.log(`\n${r.file}: exit ${r.code}${r.result ? '' : ', no result'}`);
console.log('\nwrote .artifacts/bench.json');
process.exitCode = failed.length ? 1 : 0;
