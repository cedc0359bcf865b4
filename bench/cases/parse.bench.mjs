#!/usr/bin/env node
// Resume parsing benchmark. Run from the repository root after `npm run build`:
//
//   node bench/cases/parse.bench.mjs [--quick] [--iterations N] [--burst N] [--no-corpus] [--corpus DIR]
//
// 1. parse time per document by format (median, p95) in one warm thread of the service's parser
//    worker, one document at a time, over fixtures generated here (text PDF, two-column PDF, DOCX,
//    ODT, RTF, HTML, TXT, MD, and a scanned PDF for OCR) and, when present, the corpus
//    (/work/shared/corpus/resumes by default). Every text-PDF iteration is paired with a bare
//    pdfjs text extraction of the same file (bench/bare/pdfjs-text.worker.mjs, its own thread):
//    the median of the per-pair ratios means something on a loaded machine, absolute ms less so;
// 2. documents per second through a piscina pool with one thread per core (the service's worker)
//    over one-page text PDFs;
// 3. the main event loop's delay (perf_hooks.monitorEventLoopDelay) during that burst, next to the
//    same window with the pool idle: parsing must stay off the loop that renews BullMQ locks.
// Prints a table and writes JSON to .artifacts/bench-parse.json.

import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

const root = process.cwd();
const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TEXT_PDFS = 'all text PDFs';
const require = createRequire(join(root, 'package.json'));
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : def;
};
const QUICK = flag('--quick');
const ITER = Number(opt('--iterations', QUICK ? 3 : 15));
const BURST = Number(opt('--burst', QUICK ? 8 : 64));
const CORPUS = flag('--no-corpus') ? undefined : resolve(opt('--corpus', '/work/shared/corpus/resumes'));
const OCR = !flag('--no-ocr');

const distParser = join(root, 'dist/apps/resume-parser/src/parsing/parse-resume.js');
const distWorker = join(root, 'dist/apps/resume-parser/src/parsing/parser.worker.js');
if (!existsSync(distParser)) {
  console.error(`parse.bench: ${distParser} not found — run npm run build first`);
  process.exit(2);
}
let sniffFormat;
try {
  ({ sniffFormat } = require(join(root, 'dist/libs/file-formats/src/sniff-format.js')));
} catch {
  sniffFormat = undefined;
}

// ---- fixtures ------------------------------------------------------------------------------

const PEOPLE = [
  ['Jane Q Doe', 'Staff Engineer', 'Acme Corp', 'Boston, MA'],
  ['Omar Haddad', 'Data Scientist', 'Globex Inc', 'Austin, TX'],
  ['Mei Tanaka', 'Product Designer', 'Initech Ltd', 'London, United Kingdom'],
];

function resumeLines(i) {
  const [name, title, company, city] = PEOPLE[i % PEOPLE.length];
  const handle = name.toLowerCase().replace(/[^a-z]+/g, '.');
  return {
    name,
    title,
    contact: `${handle}@example.com | +1 617 555 01${String(10 + i).slice(-2)} | ${city}`,
    sections: [
      ['EXPERIENCE', [
        [`${title} – ${company}`, 'Jan 2020 – Present', ['Led the payments platform rewrite', 'Cut p95 latency by 40% across 12 services', 'Mentored 6 engineers']],
        [`Senior Engineer – Hooli`, '03/2016 – 12/2019', ['Built the billing service', 'Moved batch jobs to streaming']],
        [`Engineer – Vandelay Industries`, '2013 – 2016', ['Maintained the import pipeline']],
      ]],
      ['EDUCATION', [['Massachusetts Institute of Technology', '2009 – 2013', ['Bachelor of Science in Computer Science']]]],
    ],
    skills: 'TypeScript, Go, Python, PostgreSQL, Kubernetes, AWS, Kafka',
  };
}

function asText(r, md = false) {
  const out = [md ? `# ${r.name}` : r.name, r.title, r.contact, ''];
  for (const [head, entries] of r.sections) {
    out.push(md ? `## ${head[0] + head.slice(1).toLowerCase()}` : head, md ? '' : '-'.repeat(head.length));
    for (const [h, d, bullets] of entries) {
      out.push(md ? `### ${h}` : `${h}    ${d}`);
      if (md) out.push(`*${d}*`);
      for (const b of bullets) out.push(md ? `- ${b}` : `  * ${b}`);
      out.push('');
    }
  }
  out.push(md ? '## Skills' : 'SKILLS', md ? '' : '------', r.skills, '');
  return out.join('\n');
}

function asHtml(r) {
  const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  let h = `<!DOCTYPE html><html><head><title>${esc(r.name)}</title></head><body><h1>${esc(r.name)}</h1><p>${esc(r.title)}</p><p>${esc(r.contact)}</p>`;
  for (const [head, entries] of r.sections) {
    h += `<h2>${head}</h2>`;
    for (const [hd, d, bullets] of entries) h += `<table><tr><td><b>${esc(hd)}</b></td><td>${d}</td></tr></table><ul>${bullets.map((b) => `<li>${esc(b)}</li>`).join('')}</ul>`;
  }
  return h + `<h2>Skills</h2><p>${esc(r.skills)}</p></body></html>`;
}

function asRtf(r) {
  const e = (s) => s.replace(/[\\{}]/g, (c) => '\\' + c).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0)}?`);
  let s = `{\\rtf1\\ansi\\ansicpg1252{\\fonttbl{\\f0 Arial;}}\\pard\\b ${e(r.name)}\\b0\\par ${e(r.title)}\\par ${e(r.contact)}\\par `;
  for (const [head, entries] of r.sections) {
    s += `\\b ${head}\\b0\\par `;
    for (const [hd, d, bullets] of entries) s += `{\\b ${e(hd)}}\\tab ${e(d)}\\par ` + bullets.map((b) => `{\\listtext \\'b7\\tab}${e(b)}\\par `).join('');
  }
  return s + `\\b SKILLS\\b0\\par ${e(r.skills)}\\par }`;
}

async function asPdf(r, twoColumn = false) {
  const { PDFDocument, StandardFonts } = require('pdf-lib');
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const page = pdf.addPage([595, 842]);
  const x0 = twoColumn ? 200 : 50;
  let y = 790;
  const put = (t, f = font, size = 10, x = x0) => {
    page.drawText(t.replace(/[–—]/g, '-'), { x, y, size, font: f });
    y -= size + 5;
  };
  put(r.name, bold, 22);
  put(r.title, font, 12);
  if (!twoColumn) put(r.contact);
  y -= 8;
  for (const [head, entries] of r.sections) {
    put(head, bold, 12);
    for (const [hd, d, bullets] of entries) {
      page.drawText(d.replace(/[–—]/g, '-'), { x: 480, y, size: 9, font });
      put(hd, bold);
      for (const b of bullets) put(`• ${b}`, font, 10, x0 + 8);
    }
    y -= 6;
  }
  if (twoColumn) {
    y = 700;
    const side = (t, f = font, size = 9) => put(t, f, size, 30);
    side('CONTACT', bold, 11);
    for (const c of r.contact.split(' | ')) side(c);
    side('SKILLS', bold, 11);
    for (const s of r.skills.split(', ')) side(s);
  } else {
    put('SKILLS', bold, 12);
    put(r.skills);
  }
  return Buffer.from(await pdf.save());
}

async function asDocx(r) {
  const { Document, HeadingLevel, Packer, Paragraph, TextRun } = require('docx');
  const children = [new Paragraph({ children: [new TextRun({ text: r.name, bold: true, size: 40 })] }), new Paragraph(r.title), new Paragraph(r.contact)];
  for (const [head, entries] of r.sections) {
    children.push(new Paragraph({ heading: HeadingLevel.HEADING_1, text: head }));
    for (const [hd, d, bullets] of entries) {
      children.push(new Paragraph({ children: [new TextRun({ text: hd, bold: true }), new TextRun({ text: '\t' + d })] }));
      for (const b of bullets) children.push(new Paragraph({ text: b, bullet: { level: 0 } }));
    }
  }
  children.push(new Paragraph({ heading: HeadingLevel.HEADING_1, text: 'SKILLS' }), new Paragraph(r.skills));
  return Buffer.from(await Packer.toBuffer(new Document({ sections: [{ children }] })));
}

function asOdt(r) {
  const AdmZip = require('adm-zip');
  const x = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  let body = `<text:h text:outline-level="1">${x(r.name)}</text:h><text:p>${x(r.title)}</text:p><text:p>${x(r.contact)}</text:p>`;
  for (const [head, entries] of r.sections) {
    body += `<text:h text:outline-level="2">${head}</text:h>`;
    for (const [hd, d, bullets] of entries) {
      body += `<text:p><text:span text:style-name="B">${x(hd)}</text:span><text:tab/>${x(d)}</text:p><text:list>${bullets.map((b) => `<text:list-item><text:p>${x(b)}</text:p></text:list-item>`).join('')}</text:list>`;
    }
  }
  body += `<text:h text:outline-level="2">Skills</text:h><text:p>${x(r.skills)}</text:p>`;
  const content = `<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"><office:automatic-styles><style:style style:name="B" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style></office:automatic-styles><office:body><office:text>${body}</office:text></office:body></office:document-content>`;
  const zip = new AdmZip();
  zip.addFile('mimetype', Buffer.from('application/vnd.oasis.opendocument.text'));
  zip.getEntry('mimetype').header.method = 0;
  zip.addFile('content.xml', Buffer.from(content));
  return zip.toBuffer();
}

/** An image-only copy of a PDF's first page (pdfjs draws the glyphs; no system font needed). */
async function asScan(pdfBytes) {
  const pdfjs = await import(require.resolve('pdfjs-dist/legacy/build/pdf.mjs'));
  const { createCanvas } = require('@napi-rs/canvas');
  const { PDFDocument } = require('pdf-lib');
  const standardFontDataUrl = join(resolve(require.resolve('pdfjs-dist/package.json'), '..'), 'standard_fonts') + '/';
  const doc = await pdfjs.getDocument({ data: new Uint8Array(pdfBytes), verbosity: 0, disableFontFace: true, standardFontDataUrl }).promise;
  const page = await doc.getPage(1);
  const viewport = page.getViewport({ scale: 150 / 72 });
  const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  await page.render({ canvasContext: ctx, canvas, viewport }).promise;
  await doc.destroy();
  const out = await PDFDocument.create();
  const img = await out.embedJpg(await canvas.encode('jpeg', 85));
  out.addPage([595, 842]).drawImage(img, { x: 0, y: 0, width: 595, height: 842 });
  return Buffer.from(await out.save());
}

async function buildFixtures() {
  const docs = [];
  const n = QUICK ? 1 : PEOPLE.length;
  for (let i = 0; i < n; i++) {
    const r = resumeLines(i);
    docs.push({ name: `gen-${i}-text.pdf`, group: 'pdf (text)', format: 'pdf', bytes: await asPdf(r) });
    docs.push({ name: `gen-${i}-2col.pdf`, group: 'pdf (two-column)', format: 'pdf', bytes: await asPdf(r, true) });
    docs.push({ name: `gen-${i}.docx`, group: 'docx', format: 'docx', bytes: await asDocx(r) });
    docs.push({ name: `gen-${i}.odt`, group: 'odt', format: 'odt', bytes: asOdt(r) });
    docs.push({ name: `gen-${i}.rtf`, group: 'rtf', format: 'rtf', bytes: Buffer.from(asRtf(r), 'latin1') });
    docs.push({ name: `gen-${i}.html`, group: 'html', format: 'html', bytes: Buffer.from(asHtml(r)) });
    docs.push({ name: `gen-${i}.txt`, group: 'txt', format: 'txt', bytes: Buffer.from(asText(r)) });
    docs.push({ name: `gen-${i}.md`, group: 'md', format: 'md', bytes: Buffer.from(asText(r, true)) });
  }
  if (OCR) docs.push({ name: 'gen-0-scan.pdf', group: 'pdf (scan, OCR)', format: 'pdf', bytes: await asScan(docs[0].bytes), slow: true });
  return docs;
}

function corpusDocs() {
  if (!CORPUS || !existsSync(CORPUS) || !sniffFormat) return [];
  const out = [];
  for (const f of readdirSync(CORPUS).sort()) {
    if (f.endsWith('.json') || f === 'README.md') continue;
    if (!existsSync(join(CORPUS, basename(f, extname(f)) + '.truth.json'))) continue;
    const bytes = readFileSync(join(CORPUS, f));
    const format = sniffFormat(bytes.subarray(0, 8192), f);
    const scan = /scan/.test(f);
    if (scan && !OCR) continue;
    out.push({ name: f, group: `corpus ${format}${scan ? ' (scan, OCR)' : ''}`, format, bytes, slow: scan });
    if (QUICK && out.length >= 6) break;
  }
  return out;
}

// ---- measurement ---------------------------------------------------------------------------

const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);
const round = (x, d = 1) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null);
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, median: pct(s, 50), p95: pct(s, 95), max: s[s.length - 1] };
};
const isTextPdf = (d) => d.format === 'pdf' && !d.slow;

/**
 * Serial parse time: one product thread (the service's worker entry) and one bare thread (plain
 * pdfjs text, bench/bare/pdfjs-text.worker.mjs), both warm, one document at a time. For a text
 * PDF each iteration is a pair — bare and product back to back, order alternating — so the
 * per-pair ratio product/bare holds up when other work shares the cores.
 */
async function timeSerial(docs) {
  const Piscina = require('piscina');
  const one = { minThreads: 1, maxThreads: 1, idleTimeout: 600_000 };
  const product = new Piscina({ ...one, filename: join(BENCH_DIR, 'lib/parse-timing.worker.mjs'), workerData: { distWorker } });
  const bare = new Piscina({ ...one, filename: join(BENCH_DIR, 'bare/pdfjs-text.worker.mjs') });
  const byGroup = new Map();
  const failures = [];
  const pages = new Map();
  const add = (group, key, v) => {
    if (!byGroup.has(group)) byGroup.set(group, { product: [], bare: [], ratio: [] });
    byGroup.get(group)[key].push(v);
  };
  for (const d of docs) {
    const task = { bytes: d.bytes, format: d.format, maxPages: 20 };
    const iterations = d.slow ? Math.min(ITER, QUICK ? 1 : 3) : ITER;
    const withBare = isTextPdf(d);
    // one warm-up each (first use of a code path, OCR model load) outside the numbers
    const warm = await product.run(task);
    if (warm.error) {
      failures.push({ name: d.name, code: warm.error.code, message: warm.error.message });
      continue;
    }
    pages.set(d, warm.pages);
    if (withBare) await bare.run({ bytes: d.bytes });
    for (let k = 0; k < iterations; k++) {
      if (!withBare) {
        add(d.group, 'product', (await product.run(task)).ms);
        continue;
      }
      let p, b;
      if (k % 2 === 0) {
        b = (await bare.run({ bytes: d.bytes })).ms;
        p = (await product.run(task)).ms;
      } else {
        p = (await product.run(task)).ms;
        b = (await bare.run({ bytes: d.bytes })).ms;
      }
      for (const g of [d.group, TEXT_PDFS]) {
        add(g, 'product', p);
        add(g, 'bare', b);
        add(g, 'ratio', p / b);
      }
    }
  }
  await Promise.all([product.destroy(), bare.destroy()]);
  const rows = [...byGroup].map(([group, t]) => {
    const p = stats(t.product);
    const b = t.bare.length ? stats(t.bare) : null;
    return {
      group,
      samples: p.n,
      medianMs: round(p.median),
      p95Ms: round(p.p95),
      maxMs: round(p.max),
      bareMedianMs: b ? round(b.median) : null,
      bareP95Ms: b ? round(b.p95) : null,
      ratio: t.ratio.length ? round(stats(t.ratio).median, 2) : null,
    };
  });
  // the all-text-PDF row last
  rows.sort((a, b) => (a.group === TEXT_PDFS) - (b.group === TEXT_PDFS));
  return { rows, failures, pages };
}

/** The main thread's event-loop delay over `ms` while `work` runs (or idles). */
async function loopDelay(work) {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  // a timer on the main loop, as BullMQ's lock renewal is: how late does it fire?
  let lateMax = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    lateMax = Math.max(lateMax, now - last - 10);
    last = now;
  }, 10);
  histogram.enable();
  const t0 = performance.now();
  const out = await work();
  const seconds = (performance.now() - t0) / 1000;
  histogram.disable();
  clearInterval(ticker);
  return {
    out,
    seconds,
    delay: {
      mean: round(histogram.mean / 1e6, 2),
      p50: round(histogram.percentile(50) / 1e6, 2),
      p99: round(histogram.percentile(99) / 1e6, 2),
      max: round(histogram.max / 1e6, 2),
    },
    timerLatenessMaxMs: round(lateMax, 1),
  };
}

/**
 * Documents per second through the service's worker with one thread per core, and the main
 * loop's delay during that burst next to the same figure over as long a window with the pool
 * idle (the loop's own noise on this machine right now).
 */
async function poolBurst(docs) {
  const Piscina = require('piscina');
  const threads = availableParallelism();
  const pool = new Piscina({ filename: distWorker, minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
  await Promise.all(Array.from({ length: threads * 2 }, (_, i) => docs[i % docs.length]).map((d) => pool.run({ bytes: d.bytes, format: d.format, maxPages: 20 })));
  const burst = await loopDelay(() => Promise.all(Array.from({ length: BURST }, (_, i) => docs[i % docs.length]).map((d) => pool.run({ bytes: d.bytes, format: d.format, maxPages: 20 }))));
  const idle = await loopDelay(() => new Promise((r) => setTimeout(r, Math.max(500, burst.seconds * 1000))));
  await pool.destroy();
  const failed = burst.out.filter((r) => r && 'error' in r).length;
  return {
    threads,
    documents: BURST,
    distinctDocuments: docs.length,
    failed,
    seconds: round(burst.seconds, 2),
    docsPerSecond: round(BURST / burst.seconds, 1),
    eventLoopDelayMs: burst.delay,
    idleEventLoopDelayMs: idle.delay,
    timerLatenessMaxMs: burst.timerLatenessMaxMs,
    idleTimerLatenessMaxMs: idle.timerLatenessMaxMs,
  };
}

function table(rows, cols) {
  const widths = cols.map(([key, title]) => Math.max(title.length, ...rows.map((r) => String(r[key] ?? '-').length)));
  const line = (vals) => vals.map((v, i) => (i === 0 ? String(v).padEnd(widths[i]) : String(v).padStart(widths[i]))).join('  ');
  console.log(line(cols.map((c) => c[1])));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(cols.map(([k]) => r[k] ?? '-')));
}

const loadBefore = loadavg().map((x) => round(x, 2));
const fixtures = await buildFixtures();
const corpus = corpusDocs();
console.log(`parse.bench: ${fixtures.length} generated + ${corpus.length} corpus documents, ${ITER} iterations each${QUICK ? ' (quick)' : ''}; load average ${loadBefore.join(' ')} on ${availableParallelism()} cores`);
const serial = await timeSerial([...fixtures, ...corpus]);
console.log('\nparse time per document (one warm parser thread, one document at a time; text PDFs paired with bare pdfjs text extraction in its own thread)');
table(serial.rows, [
  ['group', 'format'],
  ['samples', 'n'],
  ['medianMs', 'median ms'],
  ['p95Ms', 'p95 ms'],
  ['maxMs', 'max ms'],
  ['bareMedianMs', 'bare median'],
  ['bareP95Ms', 'bare p95'],
  ['ratio', 'ratio'],
]);
console.log('ratio = median over pairs of product/bare; bare = pdfjs getDocument + getTextContent of every page, nothing else');
if (serial.failures.length) console.log('\nfailed:', serial.failures.map((f) => `${f.name} (${f.code})`).join(', '));

// the burst: one-page text PDFs (what the service mostly gets), generated and from the corpus
const onePage = [...fixtures, ...corpus].filter((d) => isTextPdf(d) && serial.pages.get(d) === 1);
const burst = await poolBurst(onePage.length ? onePage : fixtures.filter((d) => d.group === 'pdf (text)'));
console.log(`\npool burst: ${burst.documents} one-page text PDFs (${burst.distinctDocuments} distinct) on ${burst.threads} threads in ${burst.seconds} s = ${burst.docsPerSecond} docs/s (${burst.failed} failed)`);
console.log(
  `main event-loop delay during the burst: mean ${burst.eventLoopDelayMs.mean} ms, p99 ${burst.eventLoopDelayMs.p99} ms, max ${burst.eventLoopDelayMs.max} ms; a 10 ms timer fired at most ${burst.timerLatenessMaxMs} ms late`,
);
console.log(`  same window with the pool idle: p99 ${burst.idleEventLoopDelayMs.p99} ms, max ${burst.idleEventLoopDelayMs.max} ms; timer at most ${burst.idleTimerLatenessMaxMs} ms late`);

const row = (g) => serial.rows.find((r) => r.group === g);
const textPdf = row('pdf (text)');
const allText = row(TEXT_PDFS);
const corpusPdf = row('corpus pdf');
const report = {
  at: new Date().toISOString(),
  node: process.version,
  cores: availableParallelism(),
  loadavg: { before: loadBefore, after: loadavg().map((x) => round(x, 2)) },
  quick: QUICK,
  iterations: ITER,
  corpus: corpus.length ? CORPUS : null,
  perFormat: serial.rows,
  failures: serial.failures,
  pool: burst,
  checks: {
    textPdfMedianMs: allText?.medianMs ?? null,
    textPdfP95Ms: allText?.p95Ms ?? null,
    textPdfBareRatio: allText?.ratio ?? null,
    generatedTextPdfMedianMs: textPdf?.medianMs ?? null,
    corpusPdfMedianMs: corpusPdf?.medianMs ?? null,
    textPdfMedianUnder80ms: allText ? allText.medianMs <= 80 : null,
  },
};
mkdirSync(join(root, '.artifacts'), { recursive: true });
writeFileSync(join(root, '.artifacts/bench-parse.json'), JSON.stringify(report, null, 2));
console.log('\nwrote .artifacts/bench-parse.json');
