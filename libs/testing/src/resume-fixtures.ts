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
