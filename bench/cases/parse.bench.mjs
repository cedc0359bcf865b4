#!/usr/bin/env node
// Resume parsing benchmark. Run from the repository root after `npm run build`:
//
//   node bench/cases/parse.bench.mjs [--quick] [--iterations N] [--burst N] [--no-corpus] [--corpus DIR]
//
// 1. parse time per document by format (median, p95), one document at a time on this thread,
//    over fixtures generated here (text PDF, two-column PDF, DOCX, ODT, RTF, HTML, TXT, MD, and a
//    scanned PDF for OCR) and, when present, the corpus (/work/shared/corpus/resumes by default);
// 2. documents per second through a piscina pool with one thread per core (the service's worker);
// 3. the main event loop's delay (perf_hooks.monitorEventLoopDelay) during that burst: parsing
//    must stay off the loop that renews BullMQ locks.
// Prints a table and writes JSON to .artifacts/bench-parse.json.

import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

const root = process.cwd();
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
const { parseResume } = require(distParser);
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

async function timeSerial(docs) {
  const byGroup = new Map();
  const failures = [];
  for (const d of docs) {
    const iterations = d.slow ? Math.min(ITER, QUICK ? 1 : 3) : ITER;
    // one warm-up (module loading, OCR model load) outside the numbers
    try {
      await parseResume(d.bytes, d.format, { maxPages: 20, timeoutMs: 120_000 });
    } catch (e) {
      failures.push({ name: d.name, code: e?.code ?? 'error', message: String(e?.message ?? e) });
      continue;
    }
    for (let k = 0; k < iterations; k++) {
      const t0 = performance.now();
      await parseResume(d.bytes, d.format, { maxPages: 20, timeoutMs: 120_000 });
      const ms = performance.now() - t0;
      if (!byGroup.has(d.group)) byGroup.set(d.group, []);
      byGroup.get(d.group).push(ms);
    }
  }
  const rows = [...byGroup].map(([group, times]) => {
    const s = [...times].sort((a, b) => a - b);
    return { group, samples: s.length, medianMs: round(pct(s, 50)), p95Ms: round(pct(s, 95)), maxMs: round(s[s.length - 1]) };
  });
  return { rows, failures };
}

async function poolBurst(docs) {
  const Piscina = require('piscina');
  const threads = availableParallelism();
  const pool = new Piscina({ filename: distWorker, minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
  const warm = docs.slice(0, threads).map((d) => pool.run({ bytes: d.bytes, format: d.format, maxPages: 20 }));
  await Promise.all(warm);
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
  const results = await Promise.all(Array.from({ length: BURST }, (_, i) => docs[i % docs.length]).map((d) => pool.run({ bytes: d.bytes, format: d.format, maxPages: 20 })));
  const seconds = (performance.now() - t0) / 1000;
  histogram.disable();
  clearInterval(ticker);
  await pool.destroy();
  const failed = results.filter((r) => r && 'error' in r).length;
  return {
    threads,
    documents: BURST,
    failed,
    seconds: round(seconds, 2),
    docsPerSecond: round(BURST / seconds, 1),
    eventLoopDelayMs: {
      mean: round(histogram.mean / 1e6, 2),
      p50: round(histogram.percentile(50) / 1e6, 2),
      p99: round(histogram.percentile(99) / 1e6, 2),
      max: round(histogram.max / 1e6, 2),
    },
    timerLatenessMaxMs: round(lateMax, 1),
  };
}

function table(rows, cols) {
  const widths = cols.map(([key, title]) => Math.max(title.length, ...rows.map((r) => String(r[key] ?? '-').length)));
  const line = (vals) => vals.map((v, i) => (i === 0 ? String(v).padEnd(widths[i]) : String(v).padStart(widths[i]))).join('  ');
  console.log(line(cols.map((c) => c[1])));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(cols.map(([k]) => r[k] ?? '-')));
}

const fixtures = await buildFixtures();
const corpus = corpusDocs();
console.log(`parse.bench: ${fixtures.length} generated + ${corpus.length} corpus documents, ${ITER} iterations each${QUICK ? ' (quick)' : ''}`);
const serial = await timeSerial([...fixtures, ...corpus]);
// OCR engines of the serial run live on this thread: stop them so the process can exit
try {
  await require(join(root, 'dist/apps/resume-parser/src/parsing/extract/ocr/tesseract.engine.js')).terminateOcr();
} catch {
  /* older build without OCR */
}
console.log('\nparse time per document (this thread, sequential)');
table(serial.rows, [['group', 'format'], ['samples', 'n'], ['medianMs', 'median ms'], ['p95Ms', 'p95 ms'], ['maxMs', 'max ms']]);
if (serial.failures.length) console.log('\nfailed:', serial.failures.map((f) => `${f.name} (${f.code})`).join(', '));

const textPdfs = fixtures.filter((d) => d.group === 'pdf (text)');
const burstDocs = [...textPdfs, ...corpus.filter((d) => d.format === 'pdf' && !d.slow)];
const burst = await poolBurst(burstDocs.length ? burstDocs : textPdfs);
console.log(`\npool burst: ${burst.documents} text PDFs on ${burst.threads} threads in ${burst.seconds} s = ${burst.docsPerSecond} docs/s (${burst.failed} failed)`);
console.log(
  `main event-loop delay during the burst: mean ${burst.eventLoopDelayMs.mean} ms, p99 ${burst.eventLoopDelayMs.p99} ms, max ${burst.eventLoopDelayMs.max} ms; a 10 ms timer fired at most ${burst.timerLatenessMaxMs} ms late`,
);

const textPdf = serial.rows.find((r) => r.group === 'pdf (text)');
const report = {
  at: new Date().toISOString(),
  node: process.version,
  quick: QUICK,
  iterations: ITER,
  corpus: corpus.length ? CORPUS : null,
  perFormat: serial.rows,
  failures: serial.failures,
  pool: burst,
  checks: { textPdfMedianMs: textPdf?.medianMs ?? null, textPdfMedianUnder80ms: textPdf ? textPdf.medianMs < 80 : null },
};
mkdirSync(join(root, '.artifacts'), { recursive: true });
writeFileSync(join(root, '.artifacts/bench-parse.json'), JSON.stringify(report, null, 2));
console.log('\nwrote .artifacts/bench-parse.json');
