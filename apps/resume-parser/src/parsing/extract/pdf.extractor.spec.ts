import { PDFDocument, StandardFonts } from 'pdf-lib';
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
});
