// memory: RSS of each of the five apps (fresh processes) idle after start, then the peak while
// 50 clients run noop jobs end to end and 4 clients upload 200 KB PDFs to resume.parse.
// A report, no bare denominator and no goal; one run.
import { NOOP_JOB, QUICK, closedLoop, emit, log, makePdf, reportRow, runCase, startApps } from '../lib/bench.mjs';
import { setTimeout as sleep } from 'node:timers/promises';

const APPS = ['job-tracker', 'resume-parser', 'email-worker', 'notifier', 'gateway'];
const SECONDS = QUICK ? 3 : 5;
const RUNS = 1;
const pdf = await makePdf(200 * 1024);

async function uploads(baseUrl, until) {
  let n = 0;
  while (Date.now() < until) {
    const form = new FormData();
    form.set('type', 'resume.parse');
    form.set('file', new Blob([pdf], { type: 'application/pdf' }), 'resume.pdf');
    const r = await fetch(`${baseUrl}/v1/jobs`, { method: 'POST', body: form });
    await r.arrayBuffer();
    if (r.status === 202) n++;
  }
  return n;
}

await runCase('memory', async (world) => {
  const idle = {};
  const load = {};
  for (let run = 0; run < RUNS; run++) {
    const s = await startApps(APPS, { ...world.env(world.prefix()), WORKER_CONCURRENCY: '50' });
    try {
      await sleep(2000);
      for (const [k, v] of Object.entries(s.rss())) idle[k] = Math.max(idle[k] ?? 0, v);
      const peak = {};
      const sampler = setInterval(() => { for (const [k, v] of Object.entries(s.rss())) peak[k] = Math.max(peak[k] ?? 0, v); }, 200);
      const until = Date.now() + (SECONDS + 1) * 1000;
      const [e2e, ups] = await Promise.all([
        closedLoop({ baseUrl: s.baseUrl, body: NOOP_JOB, inFlight: 50, seconds: SECONDS }),
        Promise.all(Array.from({ length: 4 }, () => uploads(s.baseUrl, until))),
      ]);
      clearInterval(sampler);
      for (const [name, p] of Object.entries(s.procs)) {
        if (p.child.exitCode !== null || p.child.signalCode !== null) throw new Error(`memory: ${name} exited (${p.child.exitCode ?? p.child.signalCode}) under load:\n${p.out.join('').slice(-3000)}`);
      }
      log(`memory: run ${run + 1}: ${e2e.done} noop jobs, ${ups.reduce((a, b) => a + b, 0)} uploads`, JSON.stringify(peak));
      for (const [k, v] of Object.entries(peak)) load[k] = Math.max(load[k] ?? 0, v);
    } finally {
      await s.stop();
    }
  }
  emit('memory', APPS.flatMap((a) => [
    reportRow(`memory ${a}`, 'idle', 'MB RSS', idle[a]),
    reportRow(`memory ${a}`, 'load', 'MB RSS', load[a], 'peak: noop end to end + PDF uploads'),
  ]));
});
