import { JANE_MD, JANE_TXT as TXT, janeDocx, janeTwoColumnPdf, makePdf } from '@jobdesk/testing';
import { ParseError, parseResume } from './parse-resume';


function expectJane(doc: Awaited<ReturnType<typeof parseResume>>) {
  expect(doc.basics.name).toBe('Jane Q Doe');
  expect(doc.basics.email).toBe('jane.doe@example.com');
  expect(doc.basics.phone?.replace(/\D/g, '')).toMatch(/6175550142$/);
  const acme = doc.work.find((w) => /Acme/.test(w.name ?? ''));
  expect(acme).toMatchObject({ position: 'Staff Engineer', startDate: '2020-01' });
  expect(acme?.endDate).toBeUndefined();
  expect(doc.work.find((w) => /Globex/.test(w.name ?? ''))).toMatchObject({ startDate: '2016-03', endDate: '2019-12' });
  expect(doc.education[0]).toMatchObject({ institution: 'Massachusetts Institute of Technology', endDate: '2015' });
  expect(doc.education[0].studyType).toMatch(/Bachelor/);
}

async function expectCode(p: Promise<unknown>, code: string) {
  await expect(p).rejects.toBeInstanceOf(ParseError);
  await expect(p).rejects.toMatchObject({ code });
}

describe('parseResume: text formats', () => {
  it('parses plain text', async () => {
    const doc = await parseResume(Buffer.from(TXT), 'txt', { maxPages: 5 });
    expectJane(doc);
    expect(doc.basics.label).toBe('Senior Software Engineer');
    expect(doc.basics.location).toMatchObject({ city: 'Boston', region: 'MA', countryCode: 'US' });
    expect(doc.basics.profiles).toEqual([
      { network: 'LinkedIn', username: 'jane-doe-42', url: 'https://www.linkedin.com/in/jane-doe-42' },
      { network: 'GitHub', username: 'janedoe', url: 'https://github.com/janedoe' },
    ]);
    expect(doc.work[0].highlights).toEqual(['Led the payments platform rewrite', 'Cut p95 latency by 40%']);
    expect(doc.education[0].score).toBe('3.9/4.0');
    expect(doc.skills).toEqual([
      { name: 'Languages', keywords: ['TypeScript', 'Go', 'Python'] },
      { name: 'Cloud', keywords: ['AWS', 'Kubernetes'] },
    ]);
    expect(doc.languages).toEqual([
      { language: 'English', fluency: 'Native' },
      { language: 'Spanish', fluency: 'Fluent' },
    ]);
    expect(doc.meta).toMatchObject({ sourceFormat: 'txt', ocr: false, warnings: [] });
  });

  it('parses markdown, keeping link text and url', async () => {
    const md = JANE_MD;
    const doc = await parseResume(Buffer.from('\uFEFF' + md), 'md', { maxPages: 5 });
    expectJane(doc);
    expect(doc.basics.profiles?.[0]).toMatchObject({ network: 'GitHub', username: 'janedoe' });
    expect(doc.skills).toEqual([{ name: 'TypeScript' }, { name: 'Go' }]);
  });

  it('decodes invalid UTF-8 as Latin-1 with a warning', async () => {
    const bytes = Buffer.concat([Buffer.from('Jos'), Buffer.from([0xe9]), Buffer.from(' Garc'), Buffer.from([0xed]), Buffer.from('a\njose@example.com\n')]);
    const doc = await parseResume(bytes, 'txt', { maxPages: 5 });
    expect(doc.basics.name).toBe('José García');
    expect(doc.meta.warnings.join()).toMatch(/Latin-1/);
  });
});

describe('parseResume: docx', () => {
  it('parses headings, tab-stop dates and bullets', async () => {
    const docx = await janeDocx();
    const doc = await parseResume(docx, 'docx', { maxPages: 5 });
    expectJane(doc);
    expect(doc.work[0].highlights).toEqual(['Led the payments platform rewrite']);
    expect(doc.skills.map((s) => s.name)).toEqual(['TypeScript', 'Go', 'Python']);
  });
});

describe('parseResume: pdf', () => {
  it('reads a two-column PDF column by column', async () => {
    const bytes = await janeTwoColumnPdf();
    const doc = await parseResume(bytes, 'pdf', { maxPages: 2 });
    expectJane(doc);
    expect(doc.basics.location?.city).toBe('Boston');
    expect(doc.skills).toEqual([
      { name: 'Languages', keywords: ['TypeScript', 'Go'] },
      { name: 'Cloud', keywords: ['AWS', 'Kubernetes'] },
    ]);
    expect(doc.languages.map((l) => l.language)).toEqual(['English', 'German']);
    expect(doc.work[0].highlights).toEqual(['Led the payments platform rewrite', 'Cut p95 latency by 40%']);
    expect(doc.meta).toMatchObject({ sourceFormat: 'pdf', pages: 1 });
  });

  it('enforces maxPages', async () => {
    const bytes = await makePdf((page, font) => page.drawText('Jane Doe', { x: 50, y: 700, size: 12, font }), 3);
    await expectCode(parseResume(bytes, 'pdf', { maxPages: 2 }), 'too_many_pages');
  });

  it('reports a PDF without any text', async () => {
    const bytes = await makePdf((page) => page.drawRectangle({ x: 10, y: 10, width: 100, height: 100 }));
    await expectCode(parseResume(bytes, 'pdf', { maxPages: 2 }), 'no_text');
  });
});

describe('parseResume: hostile input', () => {
  it('rejects an empty buffer', async () => {
    await expectCode(parseResume(Buffer.alloc(0), 'pdf', { maxPages: 2 }), 'empty_file');
  });

  it('rejects random bytes as pdf', async () => {
    const junk = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
    await expectCode(parseResume(junk, 'pdf', { maxPages: 2 }), 'corrupt_input');
  });

  it('handles a truncated PDF', async () => {
    const full = await makePdf((page, font) => page.drawText('Jane Doe jane@example.com', { x: 50, y: 700, size: 12, font }));
    const cut = full.subarray(0, Math.floor(full.length / 3));
    // pdfjs can sometimes recover text from a damaged file; it must never hang or crash
    const result = await parseResume(cut, 'pdf', { maxPages: 2 }).catch((e) => e);
    if (result instanceof ParseError) expect(['corrupt_input', 'no_text']).toContain(result.code);
    else expect(result.meta.sourceFormat).toBe('pdf');
  });

  it('rejects a zip that is not a docx', async () => {
    // minimal empty zip: just the end-of-central-directory record, behind a local header signature
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    const fake = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(26), eocd]);
    await expectCode(parseResume(fake, 'docx', { maxPages: 2 }), 'corrupt_input');
    await expectCode(parseResume(Buffer.from('not a zip at all'), 'docx', { maxPages: 2 }), 'corrupt_input');
  });

  it('rejects binary junk as txt', async () => {
    const junk = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 31) % 32));
    await expectCode(parseResume(junk, 'txt', { maxPages: 2 }), 'corrupt_input');
  });

  // The test timeout is the guard against a parser that goes quadratic on one long line.
  it('finishes on a huge single-line txt, truncating it', async () => {
    const huge = Buffer.from('Jane Doe jane@example.com ' + 'a1-'.repeat(3_000_000));
    const doc = await parseResume(huge, 'txt', { maxPages: 2 });
    expect(doc.meta.warnings.join()).toMatch(/truncated/);
  }, 30_000);
});
