import { PDFDocument, PDFName, PDFString, StandardFonts } from 'pdf-lib';
import { extractPdf } from './pdf.extractor';

describe('extractPdf', () => {
  it('reads lines with font size and bold', async () => {
    const pdf = await PDFDocument.create();
    const page = pdf.addPage([595, 842]);
    page.drawText('Jane Doe', { x: 50, y: 780, size: 22, font: await pdf.embedFont(StandardFonts.HelveticaBold) });
    page.drawText('jane@example.com', { x: 50, y: 750, size: 10, font: await pdf.embedFont(StandardFonts.Helvetica) });
    const doc = await extractPdf(Buffer.from(await pdf.save()), { maxPages: 3 });
    expect(doc.lines.map((l) => l.text)).toEqual(['Jane Doe', 'jane@example.com']);
    expect(doc.lines[0]).toMatchObject({ bold: true, fontSize: 22 });
  });

  it('knows bold on every page: fonts first used on a later page, and fonts seen before', async () => {
    const pdf = await PDFDocument.create();
    const regular = await pdf.embedFont(StandardFonts.Helvetica);
    const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
    const serifBold = await pdf.embedFont(StandardFonts.TimesRomanBold);
    const p1 = pdf.addPage([595, 842]);
    p1.drawText('Plain first page', { x: 50, y: 780, size: 10, font: regular });
    const p2 = pdf.addPage([595, 842]);
    p2.drawText('Experience', { x: 50, y: 780, size: 12, font: bold });
    p2.drawText('Wrote the billing service', { x: 50, y: 760, size: 10, font: regular });
    const p3 = pdf.addPage([595, 842]);
    p3.drawText('Education', { x: 50, y: 780, size: 12, font: bold });
    p3.drawText('Awards', { x: 50, y: 760, size: 12, font: serifBold });
    p3.drawText('Dean list', { x: 50, y: 740, size: 10, font: regular });
    const doc = await extractPdf(Buffer.from(await pdf.save()), { maxPages: 3 });
    expect(doc.lines.map((l) => [l.page, l.text, l.bold])).toEqual([
      [1, 'Plain first page', false],
      [2, 'Experience', true],
      [2, 'Wrote the billing service', false],
      [3, 'Education', true],
      [3, 'Awards', true],
      [3, 'Dean list', false],
    ]);
  });

  it('puts link annotation targets on the lines under them, a wrapped link on both lines', async () => {
    const pdf = await PDFDocument.create();
    const page = pdf.addPage([595, 842]);
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    page.drawText('Jane Doe', { x: 50, y: 780, size: 22, font });
    page.drawText('jane@example.com | linkedin.com/in/jane-', { x: 50, y: 750, size: 10, font });
    page.drawText('doe-4f21a | GitHub', { x: 50, y: 738, size: 10, font });
    page.drawText('Experience', { x: 50, y: 700, size: 12, font });
    const link = (rect: number[], uri: string) =>
      pdf.context.register(pdf.context.obj({ Type: 'Annot', Subtype: 'Link', Rect: rect, Border: [0, 0, 0], A: { Type: 'Action', S: 'URI', URI: PDFString.of(uri) } }));
    page.node.set(
      PDFName.of('Annots'),
      pdf.context.obj([
        link([50, 748, 135, 760], 'mailto:jane@example.com'),
        link([145, 748, 250, 760], 'https://www.linkedin.com/in/jane-doe-4f21a'),
        link([50, 736, 95, 748], 'https://www.linkedin.com/in/jane-doe-4f21a'),
        link([105, 736, 145, 748], 'https://github.com/janedoe'),
      ]),
    );
    const doc = await extractPdf(Buffer.from(await pdf.save()), { maxPages: 3 });
    expect(doc.lines.map((l) => [l.text, l.links])).toEqual([
      ['Jane Doe', undefined],
      ['jane@example.com | linkedin.com/in/jane-doe-4f21a', ['mailto:jane@example.com', 'https://www.linkedin.com/in/jane-doe-4f21a']],
      ['| GitHub', ['https://www.linkedin.com/in/jane-doe-4f21a', 'https://github.com/janedoe']],
      ['Experience', undefined],
    ]);
  });
});
