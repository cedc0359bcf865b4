import { Document, HeadingLevel, Packer, Paragraph, TextRun } from 'docx';
import { PDFDocument, PDFFont, PDFPage, StandardFonts } from 'pdf-lib';

/**
 * One fictional resume (Jane Q Doe) in every format the parser reads, built in code so tests
 * need no files from outside the repository.
 */
export const JANE = { name: 'Jane Q Doe', email: 'jane.doe@example.com' };

export const JANE_TXT = `Jane Q Doe
Senior Software Engineer
jane.doe@example.com | +1 (617) 555-0142 | Boston, MA
linkedin.com/in/jane-doe-42 | github.com/janedoe

SUMMARY
-------
Engineer with 10 years of experience.

EXPERIENCE
----------
Staff Engineer at Acme Corp (Boston, MA)    Jan 2020 – Present
  * Led the payments platform rewrite
  * Cut p95 latency by 40%

Software Engineer at Globex Inc (New York, NY)    2016-03 to 2019-12
  * Built the billing service

EDUCATION
---------
Massachusetts Institute of Technology — 2015
Bachelor of Science in Computer Science. GPA 3.9/4.0

SKILLS
------
Languages: TypeScript, Go, Python
Cloud: AWS, Kubernetes

LANGUAGES
---------
English – Native, Spanish – Fluent
`;

export const JANE_MD = [
  '# Jane Q Doe',
  '**Senior Software Engineer**',
  'Email: jane.doe@example.com · Phone: +1 617 555 0142 · [GitHub](https://github.com/janedoe)',
  '## Experience',
  '### Staff Engineer — Acme Corp',
  '*Jan 2020 – Present* · Boston, MA',
  '- Led the payments platform rewrite',
  '### Software Engineer — Globex Inc',
  '*2016-03 to 2019-12*',
  '- Built the billing service',
  '## Education',
  '### Massachusetts Institute of Technology',
  'Bachelor of Science, Computer Science · 2015',
  '## Skills',
  '- TypeScript',
  '- Go',
].join('\n');

export async function makePdf(draw: (page: PDFPage, font: PDFFont, bold: PDFFont) => void, pages = 1): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  for (let i = 0; i < pages; i++) draw(pdf.addPage([595, 842]), font, bold);
  return Buffer.from(await pdf.save());
}

export async function janeDocx(): Promise<Buffer> {
    const p = (text: string, opts: { bold?: boolean; bullet?: boolean; heading?: boolean } = {}) =>
      new Paragraph({
        heading: opts.heading ? HeadingLevel.HEADING_1 : undefined,
        bullet: opts.bullet ? { level: 0 } : undefined,
        children: text.split('\t').flatMap((t, i) => [...(i ? [new TextRun({ text: '\t' })] : []), new TextRun({ text: t, bold: opts.bold && i === 0 })]),
      });
    const docx = new Document({
      sections: [
        {
          children: [
            p('Jane Q Doe', { bold: true }),
            p('Senior Software Engineer'),
            p('jane.doe@example.com • +1 617 555 0142 • Boston, MA'),
            p('Work Experience', { heading: true }),
            p('Staff Engineer – Acme Corp\tJan 2020 – Present', { bold: true }),
            p('Led the payments platform rewrite', { bullet: true }),
            p('Software Engineer – Globex Inc\t03/2016 - 12/2019', { bold: true }),
            p('Built the billing service', { bullet: true }),
            p('Education', { heading: true }),
            p('Massachusetts Institute of Technology\t2015', { bold: true }),
            p('Bachelor of Science in Computer Science'),
            p('Technical Skills', { heading: true }),
            p('TypeScript, Go, Python'),
          ],
        },
      ],
    });
  return Buffer.from(await Packer.toBuffer(docx));
}

/** Two columns: main column on the right, a contact/skills sidebar on the left. */
export async function janeTwoColumnPdf(): Promise<Buffer> {
  return makePdf((page, font, bold) => {
      let y = 790;
      const main = (text: string, f = font, size = 10, x = 200) => {
        page.drawText(text, { x, y, size, font: f });
        y -= size + 6;
      };
      main('Jane Q Doe', bold, 24);
      main('Senior Software Engineer', font, 12);
      y -= 10;
      main('EXPERIENCE', bold, 12);
      main('Staff Engineer at Acme Corp (Boston, MA)');
      page.drawText('Jan 2020 – Present', { x: 480, y: y + 16, size: 9, font });
      main('• Led the payments platform rewrite');
      main('• Cut p95 latency by 40%');
      main('Software Engineer at Globex Inc (New York, NY)');
      page.drawText('03/2016 - 12/2019', { x: 480, y: y + 16, size: 9, font });
      main('• Built the billing service');
      main('EDUCATION', bold, 12);
      main('Massachusetts Institute of Technology', bold);
      page.drawText('2015', { x: 520, y: y + 16, size: 9, font });
      main('Bachelor of Science in Computer Science');
      y = 700;
      const side = (text: string, f = font, size = 9) => main(text, f, size, 30);
      side('CONTACT', bold, 11);
      side('jane.doe@example.com');
      side('+1 617 555 0142');
      side('Boston, MA');
      side('SKILLS', bold, 11);
      side('Languages: TypeScript, Go');
      side('Cloud: AWS, Kubernetes');
      side('LANGUAGES', bold, 11);
      side('English: Native');
      side('German: Basic');
    });
}

/** Jane's resume as a plain single-column text PDF (the source for the scanned variants). */
export async function janeSingleColumnPdf(): Promise<Buffer> {
  return makePdf((page, font, bold) => {
    let y = 780;
    const line = (text: string, f = font, size = 11, x = 60) => {
      page.drawText(text, { x, y, size, font: f });
      y -= size + 7;
    };
    line('Jane Q Doe', bold, 24);
    line('Senior Software Engineer', font, 13);
    line('jane.doe@example.com | +1 617 555 0142 | Boston, MA');
    y -= 10;
    line('EXPERIENCE', bold, 13);
    line('Acme Corp, Boston, MA', bold);
    page.drawText('Jan 2020 - Present', { x: 430, y: y + 18, size: 11, font });
    line('Staff Engineer');
    line('- Led the payments platform rewrite', font, 11, 70);
    line('Globex Inc, New York, NY', bold);
    page.drawText('03/2016 - 12/2019', { x: 430, y: y + 18, size: 11, font });
    line('Software Engineer');
    line('- Built the billing service', font, 11, 70);
    y -= 6;
    line('EDUCATION', bold, 13);
    line('Massachusetts Institute of Technology', bold);
    page.drawText('2015', { x: 430, y: y + 18, size: 11, font });
    line('Bachelor of Science in Computer Science');
    y -= 6;
    line('SKILLS', bold, 13);
    line('TypeScript, Go, Python, Kubernetes');
  });
}

// pdfjs-dist is ESM-only: import() it without letting the CommonJS build rewrite the call
const importEsm = new Function('s', 'return import(s)') as (s: string) => Promise<any>;
async function loadPdfjsForFixtures(): Promise<any> {
  const spec = 'pdfjs-dist/legacy/build/pdf.mjs';
  try {
    return await importEsm(spec);
  } catch (err) {
    // under Jest's vm sandbox (no --experimental-vm-modules), compile the import with Node's loader
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const vm = require('node:vm') as typeof import('node:vm');
    const loader = (vm.constants as any)?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
    if (!loader) throw err;
    const script = new vm.Script('(s) => import(s)', { importModuleDynamically: loader });
    return (script.runInThisContext() as (s: string) => Promise<any>)(require.resolve(spec));
  }
}

/**
 * Rasterises the first page of a PDF (pdfjs draws the glyph outlines itself, so no system font is
 * needed) — the pixels of a scan, without its text layer.
 */
export async function rasterizePdfPage(pdf: Buffer, opts: { dpi?: number; format?: 'png' | 'jpeg'; page?: number } = {}): Promise<Buffer> {
  const pdfjs = await loadPdfjsForFixtures();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createCanvas } = require('@napi-rs/canvas') as typeof import('@napi-rs/canvas');
  const { dirname, join } = await import('node:path');
  const standardFontDataUrl = join(dirname(require.resolve('pdfjs-dist/package.json')), 'standard_fonts') + '/';
  const doc = await pdfjs.getDocument({ data: new Uint8Array(pdf), verbosity: 0, disableFontFace: true, isEvalSupported: false, standardFontDataUrl }).promise;
  try {
    const page = await doc.getPage(opts.page ?? 1);
    const viewport = page.getViewport({ scale: (opts.dpi ?? 150) / 72 });
    const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    await page.render({ canvasContext: ctx, canvas, viewport }).promise;
    return opts.format === 'jpeg' ? canvas.encode('jpeg', 85) : canvas.encode('png');
  } finally {
    await doc.destroy();
  }
}

/** An image-only PDF (no text layer), as a scanner makes: one JPEG per page at `dpi`. */
export async function scannedPdf(source: Buffer, dpi = 150): Promise<Buffer> {
  const jpeg = await rasterizePdfPage(source, { dpi, format: 'jpeg' });
  const pdf = await PDFDocument.create();
  const img = await pdf.embedJpg(jpeg);
  const page = pdf.addPage([595, 842]);
  page.drawImage(img, { x: 0, y: 0, width: 595, height: 842 });
  return Buffer.from(await pdf.save());
}

/** Jane's resume as a web page: header, sections, a list, a table row with dates, skill chips. */
export const JANE_HTML = `<!DOCTYPE html>
<html><head><title>Jane Q Doe – CV</title><style>.chip{display:inline-block}</style><script>var x = "<p>not text</p>";</script></head>
<body>
<header><h1>Jane Q Doe</h1><p>Senior Software Engineer</p>
<p><a href="mailto:jane.doe@example.com">jane.doe@example.com</a> · +1 (617) 555-0142 · Boston, MA ·
<a href="https://github.com/janedoe">github.com/janedoe</a></p></header>
<section><h2>Experience</h2>
<table><tr><td><strong>Staff Engineer</strong>, Acme Corp</td><td>Jan 2020 &ndash; Present</td></tr></table>
<ul><li>Led the payments platform rewrite</li><li>Cut p95 latency by 40%</li></ul>
<table><tr><td><strong>Software Engineer</strong>, Globex Inc</td><td>03/2016 - 12/2019</td></tr></table>
<ul><li>Built the billing service</li></ul></section>
<section><h2>Education</h2><p><b>Massachusetts Institute of Technology</b> — 2015</p><p>Bachelor of Science in Computer Science</p></section>
<section><h2>Skills</h2><div><span class="chip">TypeScript</span><span class="chip">Go</span><span class="chip">Python</span></div></section>
</body></html>`;

/** Jane's resume as RTF, the way Word writes it: bold runs, tab-stop dates, list text, \\u escapes. */
export const JANE_RTF = [
  '{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fswiss Arial;}{\\f1\\fnil Symbol;}}{\\colortbl;\\red0\\green0\\blue0;}',
  '{\\*\\generator Riched20;}{\\info{\\title CV}{\\author Jane}}',
  '\\pard\\b\\fs36 Jane Q Doe\\b0\\fs22\\par',
  'Senior Software Engineer\\par',
  'jane.doe@example.com \\u8226? +1 617 555 0142 \\u8226? Boston, MA\\par',
  '{\\field{\\*\\fldinst HYPERLINK "https://github.com/janedoe"}{\\fldrslt GitHub}}\\par',
  '\\pard\\b EXPERIENCE\\b0\\par',
  '{\\b Staff Engineer \\endash  Acme Corp}\\tab Jan 2020 \\endash  Present\\par',
  '{\\listtext\\f1\\\'b7\\tab}Led the payments platform rewrite\\par',
  '{\\b Software Engineer \\endash  Globex Inc}\\tab 03/2016 - 12/2019\\par',
  '{\\listtext\\f1\\\'b7\\tab}Built the billing service\\par',
  '\\pard\\b EDUCATION\\b0\\par',
  '{\\b Massachusetts Institute of Technology}\\tab 2015\\par',
  'Bachelor of Science in Computer Science\\par',
  '\\pard\\b SKILLS\\b0\\par',
  'TypeScript, Go, Python\\par',
  '}',
].join('\n');

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Jane's resume as an OpenDocument text (what LibreOffice saves), built with adm-zip. */
export function janeOdt(): Buffer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const AdmZip = require('adm-zip') as new () => { addFile(n: string, d: Buffer): void; toBuffer(): Buffer; getEntry(n: string): { header: { method: number } } | null };
  const p = (text: string, style = 'Standard') => `<text:p text:style-name="${style}">${text}</text:p>`;
  const body = [
    `<text:h text:style-name="Heading_20_1" text:outline-level="1">Jane Q Doe</text:h>`,
    p('Senior Software Engineer'),
    p('jane.doe@example.com | +1 617 555 0142 | Boston, MA'),
    `<text:h text:outline-level="2">Experience</text:h>`,
    p(`<text:span text:style-name="T1">Staff Engineer – Acme Corp</text:span><text:tab/>Jan 2020 – Present`),
    `<text:list><text:list-item>${p('Led the payments platform rewrite')}</text:list-item></text:list>`,
    p(`<text:span text:style-name="T1">Software Engineer – Globex Inc</text:span><text:tab/>03/2016 - 12/2019`),
    `<text:list><text:list-item>${p('Built the billing service')}</text:list-item></text:list>`,
    `<text:h text:outline-level="2">Education</text:h>`,
    p(`<text:span text:style-name="T1">${xmlEscape('Massachusetts Institute of Technology')}</text:span><text:tab/>2015`),
    p('Bachelor of Science in Computer Science'),
    `<text:h text:outline-level="2">Skills</text:h>`,
    `<table:table><table:table-row><table:table-cell>${p('TypeScript, Go, Python')}</table:table-cell></table:table-row></table:table>`,
  ].join('');
  const content =
    '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ' +
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" ' +
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0">' +
    '<office:automatic-styles><style:style style:name="T1" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style></office:automatic-styles>' +
    `<office:body><office:text>${body}</office:text></office:body></office:document-content>`;
  const zip = new AdmZip();
  zip.addFile('mimetype', Buffer.from('application/vnd.oasis.opendocument.text'));
  zip.getEntry('mimetype')!.header.method = 0;
  zip.addFile('content.xml', Buffer.from(content));
  zip.addFile('META-INF/manifest.xml', Buffer.from('<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>'));
  return zip.toBuffer();
}

// ---- hostile files -----------------------------------------------------------------------

/** A PDF with `pages` blank pages (2,000 for the page-limit test). */
export async function manyPagesPdf(pages: number): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  for (let i = 0; i < pages; i++) pdf.addPage([200, 200]);
  return Buffer.from(await pdf.save({ objectsPerTick: Infinity }));
}

/**
 * A DOCX-shaped zip bomb: a valid [Content_Types].xml and a word/document.xml whose deflated
 * ~100 KB expand to `inflatedMb` MiB of spaces.
 */
export function docxZipBomb(inflatedMb = 200): Buffer {
  const types = Buffer.from('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>');
  return zipBomb({ name: '[Content_Types].xml', data: types }, 'word/document.xml', inflatedMb);
}

/** The same for OpenDocument: a stored mimetype entry, then a content.xml bomb. */
export function odtZipBomb(inflatedMb = 200): Buffer {
  return zipBomb({ name: 'mimetype', data: Buffer.from('application/vnd.oasis.opendocument.text') }, 'content.xml', inflatedMb);
}

function zipBomb(first: { name: string; data: Buffer }, bombName: string, inflatedMb: number): Buffer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const zlib = require('node:zlib') as typeof import('node:zlib');
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  const deflate = zlib.deflateRawSync(Buffer.concat(Array.from({ length: inflatedMb }, () => chunk)), { level: 9 });
  const entries: Array<{ name: string; data: Buffer; size: number; method: number }> = [
    { name: first.name, data: first.data, size: first.data.length, method: 0 },
    { name: bombName, data: deflate, size: inflatedMb * 1024 * 1024, method: 8 },
  ];
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(e.method, 8);
    lh.writeUInt32LE(e.data.length, 18);
    lh.writeUInt32LE(e.size >>> 0, 22);
    lh.writeUInt16LE(name.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(e.method, 10);
    ch.writeUInt32LE(e.data.length, 20);
    ch.writeUInt32LE(e.size >>> 0, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, name, e.data);
    centrals.push(ch, name);
    offset += 30 + name.length + e.data.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

/** A PDF whose trailer names a standard security handler with an unknown user password. */
export function encryptedPdf(): Buffer {
  const hex = (seed: number) => Array.from({ length: 32 }, (_, i) => ((i * 37 + seed) % 256).toString(16).padStart(2, '0')).join('');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>',
    '<< /Length 8 >>\nstream\n(secret)\nendstream',
    `<< /Filter /Standard /V 1 /R 2 /O <${hex(11)}> /U <${hex(97)}> /P -44 >>`,
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n` + offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Encrypt 5 0 R /ID [<${hex(3).slice(0, 32)}> <${hex(3).slice(0, 32)}>] >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}
