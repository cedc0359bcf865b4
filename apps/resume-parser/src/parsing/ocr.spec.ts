import { janeSingleColumnPdf, rasterizePdfPage, scannedPdf } from '@jobdesk/testing';
import { terminateOcr } from './extract/ocr/tesseract.engine';
import { parseResume } from './parse-resume';

jest.setTimeout(120_000);

/** End to end through tesseract.js: the English model and the wasm core come from node_modules. */
describe('parseResume: OCR', () => {
  let source: Buffer;
  beforeAll(async () => {
    source = await janeSingleColumnPdf();
  });
  afterAll(() => terminateOcr());

  function expectJane(doc: Awaited<ReturnType<typeof parseResume>>) {
    expect(doc.basics.name).toBe('Jane Q Doe');
    expect(doc.basics.email).toBe('jane.doe@example.com');
    expect(doc.work.map((w) => w.name)).toEqual(['Acme Corp', 'Globex Inc']);
    expect(doc.work[0]).toMatchObject({ position: 'Staff Engineer', startDate: '2020-01' });
    expect(doc.work[1]).toMatchObject({ position: 'Software Engineer', startDate: '2016-03', endDate: '2019-12' });
    expect(doc.education[0]).toMatchObject({ institution: 'Massachusetts Institute of Technology', endDate: '2015' });
    expect(doc.skills.map((s) => s.name)).toEqual(['TypeScript', 'Go', 'Python', 'Kubernetes']);
    expect(doc.meta.ocr).toBe(true);
  }

  it('reads a scanned PDF (no text layer) with OCR', async () => {
    const scan = await scannedPdf(source, 150);
    const doc = await parseResume(scan, 'pdf', { maxPages: 5, timeoutMs: 60_000 });
    expectJane(doc);
    expect(doc.meta.warnings).toContain('no text layer: OCR used');
    expect(doc.meta.pages).toBe(1);
  });

  it('reads PNG and JPEG resumes', async () => {
    const png = await rasterizePdfPage(source, { dpi: 150, format: 'png' });
    expectJane(await parseResume(png, 'png', { maxPages: 5, timeoutMs: 60_000 }));
    const jpeg = await rasterizePdfPage(source, { dpi: 150, format: 'jpeg' });
    const doc = await parseResume(jpeg, 'jpeg', { maxPages: 5, timeoutMs: 60_000 });
    expectJane(doc);
    expect(doc.meta).toMatchObject({ sourceFormat: 'jpeg', ocr: true });
  });
});
