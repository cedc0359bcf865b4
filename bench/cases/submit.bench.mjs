// submit, submit idle, upload: POST /v1/jobs against the gateway + job-tracker (fresh processes
// per side) vs bench/bare/api.mjs (validate, one INSERT, one BullMQ add, 202), interleaved.
import { PAIRS, QUICK, emit, interleave, makePdf, row, runCase, serialLatency, startApps, startBare, warmCannon } from '../lib/bench.mjs';

const D = QUICK ? { submit: 2, idle: 1, upload: 2 } : { submit: 3, idle: 2, upload: 2 };
const UPLOAD_CONNECTIONS = 10;
const json = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'noop', input: { ms: 0 } }) };

const pdf = await makePdf(200 * 1024);
const boundary = '----jobdeskbench' + Date.now();
const multipart = Buffer.concat([
  Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="type"\r\n\r\nresume.parse\r\n`),
  Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="resume.pdf"\r\ncontent-type: application/pdf\r\n\r\n`),
  pdf,
  Buffer.from(`\r\n--${boundary}--\r\n`),
]);
const upload = { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body: multipart };

async function measure(base, uploadPath) {
  const submit = await warmCannon({ url: `${base}/v1/jobs`, ...json, connections: 50, duration: D.submit });
  // After the 50-connection run (warm): one request at a time, timed to the microsecond.
  const idle = await serialLatency({ url: `${base}/v1/jobs`, ...json, seconds: D.idle });
  const up = await warmCannon({ url: `${base}${uploadPath}`, ...upload, connections: UPLOAD_CONNECTIONS, duration: D.upload });
  for (const [k, r] of Object.entries({ submit, idle, up })) if (r.non2xx || r.errors) throw new Error(`${k}: ${JSON.stringify(r)}`);
  return { rps: submit.rps, p99: submit.p99, idleP50: idle.p50, idleP99: idle.p99, uploadRps: up.rps, uploadP99: up.p99 };
}

await runCase('submit', async (world) => {
  const pairs = await interleave('submit', PAIRS,
    async () => {
      const s = await startBare('api', world.env(world.prefix()));
      try { return await measure(s.baseUrl, '/v1/uploads'); } finally { await s.stop(); }
    },
    async () => {
      const s = await startApps(['job-tracker', 'gateway'], world.env(world.prefix()));
      try { return await measure(s.baseUrl, '/v1/jobs'); } finally { await s.stop(); }
    });
  emit('submit', [
    row('submit', 'rps', 'req/s', pairs, { op: '>=', ratio: 0.7 }, `POST JSON, 50 connections, ${D.submit} s`),
    row('submit', 'p99', 'ms', pairs, { op: '<=', ratio: 1.5 }),
    row('submit idle', 'idleP50', 'ms', pairs, { op: '<=', ratio: 1.5 }, `1 connection, one request at a time, ${D.idle} s, timed with performance.now()`),
    row('submit idle', 'idleP99', 'ms', pairs, { op: '<=', ratio: 2 }),
    row('upload', 'uploadRps', 'req/s', pairs, { op: '>=', ratio: 0.7 }, `multipart ${Math.round(pdf.length / 1024)} KB PDF, ${UPLOAD_CONNECTIONS} connections, ${D.upload} s`),
    row('upload', 'uploadP99', 'ms', pairs, null),
  ]);
});
