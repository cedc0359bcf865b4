import { JANE_HTML, JANE_RTF, JANE_TXT, docxZipBomb, odtZipBomb, encryptedPdf, janeOdt, janeSingleColumnPdf, makePdf, manyPagesPdf } from '@jobdesk/testing';
import { docTextToLines, extractDoc } from './extract/doc.extractor';
import { extractDocx } from './extract/docx.extractor';
import { htmlToFlowLines } from './extract/html.extractor';
import { extractText } from './extract/text.extractor';
import { rtfToLines } from './extract/rtf.extractor';
import { readZipEntries } from './extract/zip.util';
import { ParseError, parseResume } from './parse-resume';

function expectJane(doc: Awaited<ReturnType<typeof parseResume>>) {
  expect(doc.basics.name).toBe('Jane Q Doe');
  expect(doc.basics.email).toBe('jane.doe@example.com');
  expect(doc.basics.phone?.replace(/\D/g, '')).toMatch(/6175550142$/);
  expect(doc.work.map((w) => w.name)).toEqual(['Acme Corp', 'Globex Inc']);
  expect(doc.work[0]).toMatchObject({ position: 'Staff Engineer', startDate: '2020-01' });
  expect(doc.work[0].endDate).toBeUndefined();
  expect(doc.work[1]).toMatchObject({ position: 'Software Engineer', startDate: '2016-03', endDate: '2019-12' });
  expect(doc.education[0]).toMatchObject({ institution: 'Massachusetts Institute of Technology', endDate: '2015' });
  expect(doc.education[0].studyType).toMatch(/Bachelor/);
  expect(doc.skills.map((s) => s.name)).toEqual(['TypeScript', 'Go', 'Python']);
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  const r = await p.then(
    () => undefined,
    (e) => e,
  );
  expect(r).toBeInstanceOf(ParseError);
  return (r as ParseError).code;
}

describe('HTML', () => {
  it('parses a web-page resume, skipping scripts and keeping chips apart', async () => {
    const doc = await parseResume(Buffer.from(JANE_HTML), 'html', { maxPages: 5 });
    expectJane(doc);
    expect(doc.basics.profiles?.[0]).toMatchObject({ network: 'GitHub', username: 'janedoe' });
    expect(doc.work[0].highlights).toEqual(['Led the payments platform rewrite', 'Cut p95 latency by 40%']);
    expect(doc.meta.sourceFormat).toBe('html');
  });

  it('puts table cells of one row on one row and headings apart', () => {
    const lines = htmlToFlowLines('<h2>Work</h2><table><tr><td>Acme</td><td>2020</td></tr><tr><td>Globex</td><td>2019</td></tr></table>');
    expect(lines.map((l) => [l.text, l.kind, !!l.sameRowAsPrev])).toEqual([
      ['Work', 'heading', false],
      ['Acme', 'text', false],
      ['2020', 'text', true],
      ['Globex', 'text', false],
      ['2019', 'text', true],
    ]);
  });

  it('reads a plain-text resume in a <pre> as the .txt: same lines, same parse', async () => {
    const escaped = JANE_TXT.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    const html = Buffer.from(`<html><body><pre>${escaped}</pre></body></html>`);
    const shape = (lines: { text: string; kind?: string }[]) => lines.map((l) => [l.text, l.kind]);
    expect(shape(htmlToFlowLines(html.toString()))).toEqual(shape(extractText(Buffer.from(JANE_TXT), 'txt').lines));

    const fromHtml = await parseResume(html, 'html', { maxPages: 5 });
    const fromTxt = await parseResume(Buffer.from(JANE_TXT), 'txt', { maxPages: 5 });
    expect(fromHtml.basics.name).toBe('Jane Q Doe');
    expect({ ...fromHtml, meta: undefined }).toEqual({ ...fromTxt, meta: undefined });
  });

  it('keeps the lines of <listing>, <xmp> and an unclosed <plaintext>, and bold lines inside them', () => {
    const lines = htmlToFlowLines('<p>Intro\ntext</p><listing><b>Jane Q Doe</b>\nBoston</listing><xmp>SKILLS\n  * Go</xmp><plaintext>one\r\ntwo');
    expect(lines.map((l) => [l.text, l.kind, l.bold])).toEqual([
      ['Intro text', 'text', false],
      ['Jane Q Doe', 'text', true],
      ['Boston', 'text', false],
      ['SKILLS', 'text', false],
      ['Go', 'bullet', false],
      ['one', 'text', false],
      ['two', 'text', false],
    ]);
  });

  it('breaks lines at <br> and block elements and nowhere else', () => {
    const html = `<p>Jane\n   Q\tDoe<br>Boston</p><div>Staff <i>Engineer</i></div><section>Acme</section><h3>Skills</h3>
      <ul><li>Go</li><li>Rust</li></ul><table><tr><td>MIT</td></tr></table><details><summary>More</summary>Hidden text</details>`;
    expect(htmlToFlowLines(html).map((l) => [l.text, l.kind])).toEqual([
      ['Jane Q Doe', 'text'],
      ['Boston', 'text'],
      ['Staff Engineer', 'text'],
      ['Acme', 'text'],
      ['Skills', 'heading'],
      ['Go', 'bullet'],
      ['Rust', 'bullet'],
      ['MIT', 'text'],
      ['More', 'text'],
      ['Hidden text', 'text'],
    ]);
  });

  it('limits the text length', async () => {
    const huge = Buffer.from('<html><body>' + '<p>word word word word</p>'.repeat(60_000) + '</body></html>');
    expect(await codeOf(parseResume(huge, 'html', { maxPages: 5 }))).toBe('input_too_large');
  });
});

describe('RTF', () => {
  it('parses bold, tab stops, list text, \\u escapes and hyperlinks', async () => {
    const doc = await parseResume(Buffer.from(JANE_RTF, 'latin1'), 'rtf', { maxPages: 5 });
    expectJane(doc);
    expect(doc.work[0].highlights).toEqual(['Led the payments platform rewrite']);
    expect(doc.basics.profiles?.[0]).toMatchObject({ network: 'GitHub', username: 'janedoe' });
  });

  it('decodes code-page escapes and skips \\u fallbacks', () => {
    const lines = rtfToLines("{\\rtf1\\ansi Jos\\'e9 Garc\\'eda \\u8212? ok\\par}");
    expect(lines.map((l) => l.text)).toEqual(['José García — ok']);
  });

  it('rejects a file without the RTF header', async () => {
    expect(await codeOf(parseResume(Buffer.from('{\\xyz}'), 'rtf', { maxPages: 5 }))).toBe('corrupt_input');
  });
});

describe('ODT', () => {
  it('parses headings, bold spans, tabs, lists and tables', async () => {
    const doc = await parseResume(janeOdt(), 'odt', { maxPages: 5 });
    expectJane(doc);
    expect(doc.meta.sourceFormat).toBe('odt');
  });

  it('fails a zip bomb with input_too_large (the test timeout guards against a hang)', async () => {
    const bomb = odtZipBomb(80);
    expect(await codeOf(parseResume(bomb, 'odt', { maxPages: 5 }))).toBe('input_too_large');
  }, 30_000);
});

describe('DOC', () => {
  it('turns word-extractor text into rows, cells and bullets', () => {
    const lines = docTextToLines('Jane Q Doe\nStaff Engineer – Acme Corp\tJan 2020 – Present\n\u2022 Led the rewrite\n');
    expect(lines.map((l) => [l.text, l.kind, !!l.sameRowAsPrev])).toEqual([
      ['Jane Q Doe', 'text', false],
      ['Staff Engineer – Acme Corp', 'text', false],
      ['Jan 2020 – Present', 'text', true],
      ['Led the rewrite', 'bullet', false],
    ]);
  });

  it('rejects a damaged OLE2 file and a password-protected package', async () => {
    const ole = Buffer.alloc(1024);
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(ole);
    expect(await codeOf(extractDoc(ole))).toBe('corrupt_input');
    const enc = Buffer.concat([ole, Buffer.from('EncryptedPackage', 'utf16le')]);
    expect(await codeOf(extractDoc(enc))).toBe('encrypted_input');
    expect(await codeOf(extractDocx(enc, { maxPages: 5 }))).toBe('encrypted_input');
  });
});

describe('hostile files', () => {
  // The test's own timeout is the guard against a hang (building 2,000 pages is the slow part).
  it('a 2,000-page PDF fails with too_many_pages', async () => {
    const pdf = await manyPagesPdf(2000);
    expect(await codeOf(parseResume(pdf, 'pdf', { maxPages: 20 }))).toBe('too_many_pages');
  }, 60_000);

  it('a DOCX zip bomb fails with input_too_large before mammoth inflates it', async () => {
    expect(await codeOf(parseResume(docxZipBomb(200), 'docx', { maxPages: 5 }))).toBe('input_too_large');
    expect(() => readZipEntries(docxZipBomb(3), 'DOCX', () => true, { maxEntries: 10, maxInflated: 1024 * 1024 })).toThrow(/zip bomb/);
  });

  it('an encrypted PDF fails with encrypted_input', async () => {
    expect(await codeOf(parseResume(encryptedPdf(), 'pdf', { maxPages: 5 }))).toBe('encrypted_input');
  });

  it('a truncated PDF fails with corrupt_input or no_text, never hangs', async () => {
    const full = await janeSingleColumnPdf();
    for (const cut of [0.1, 0.5, 0.9]) {
      const r = await parseResume(full.subarray(0, Math.floor(full.length * cut)), 'pdf', { maxPages: 5 }).catch((e) => e);
      if (r instanceof ParseError) expect(['corrupt_input', 'no_text']).toContain(r.code);
      else expect(r.meta.sourceFormat).toBe('pdf');
    }
  });

  it('an HTML page sent as a PDF fails with format_mismatch', async () => {
    expect(await codeOf(parseResume(Buffer.from(JANE_HTML), 'pdf', { maxPages: 5 }))).toBe('format_mismatch');
  });

  it('a 0-byte file fails with empty_file in every format', async () => {
    for (const f of ['pdf', 'docx', 'doc', 'odt', 'rtf', 'html', 'txt', 'md', 'png', 'jpeg'] as const) {
      expect(await codeOf(parseResume(Buffer.alloc(0), f, { maxPages: 5 }))).toBe('empty_file');
    }
  });

  it('an image declaring absurd dimensions fails with input_too_large', async () => {
    const png = Buffer.alloc(64);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(png);
    png.write('IHDR', 12, 'latin1');
    png.writeUInt32BE(50_000, 16);
    png.writeUInt32BE(50_000, 20);
    expect(await codeOf(parseResume(png, 'png', { maxPages: 5 }))).toBe('input_too_large');
  });

  it('a PDF that is only a drawing (no text, no image) still says no_text', async () => {
    const pdf = await makePdf((page) => page.drawRectangle({ x: 10, y: 10, width: 50, height: 50 }));
    expect(await codeOf(parseResume(pdf, 'pdf', { maxPages: 5 }))).toBe('no_text');
  });
});
