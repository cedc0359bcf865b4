import { ErrorCode } from '@jobdesk/contracts';
import { ParseError } from '../parse-error';
import { ExtractedDocument, ExtractedLine } from './extracted-document.types';
import { BULLET_GLYPH } from './html-lines.util';

const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const utf16 = (s: string) => Buffer.from(s, 'utf16le');

/** Legacy Word 97-2003 (.doc) through word-extractor (pure JS OLE2 + piece-table reader). */
export async function extractDoc(bytes: Buffer, maxChars = 1_000_000): Promise<ExtractedDocument> {
  if (bytes.length < 512 || !bytes.subarray(0, 8).equals(OLE_MAGIC)) throw new ParseError(ErrorCode.CorruptInput, 'not a Word .doc file (no OLE2 header)');
  // an encrypted DOCX/ODT travels as an OLE2 file with these streams
  if (bytes.includes(utf16('EncryptedPackage')) || bytes.includes(utf16('EncryptionInfo'))) {
    throw new ParseError(ErrorCode.EncryptedInput, 'the document is password-protected');
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const WordExtractor = require('word-extractor') as new () => { extract(b: Buffer): Promise<any> };
  let doc: any;
  try {
    doc = await new WordExtractor().extract(bytes);
  } catch (err) {
    const msg = String((err as Error)?.message ?? err);
    throw new ParseError(ErrorCode.CorruptInput, `unreadable .doc: ${msg}`);
  }
  const parts = [doc.getHeaders?.({ includeFooters: false }) ?? '', doc.getBody() ?? '', doc.getTextboxes?.({ includeHeadersAndFooters: false }) ?? ''];
  const text = parts.filter((p: string) => p.trim()).join('\n');
  if (text.length > maxChars) throw new ParseError(ErrorCode.InputTooLarge, `the document has more than ${maxChars} characters of text`);
  return { format: 'doc', lines: docTextToLines(text), warnings: [] };
}

/** Paragraphs to lines; tabs (tab stops, table cells) split a paragraph into cells of one row. */
export function docTextToLines(text: string): ExtractedLine[] {
  const lines: ExtractedLine[] = [];
  for (const para of text.split(/\r\n|\r|\n|\u000b|\f/)) {
    const cells = para
      .split(/\t+|\u0007/)
      .map((c) => c.replace(/\s+/g, ' ').trim())
      .filter(Boolean);
    let typed = false;
    if (cells.length > 1 && BULLET_GLYPH.test(cells[0])) {
      cells.shift();
      typed = true;
    }
    cells.forEach((c, i) => {
      const bullet = typed && i === 0 ? /^/.exec(c) : /^[•·▪◦●○■□➢➤►▸✓✔*\uF0B7\uF0A7\uF0D8\uF076]\s*/u.exec(c);
      lines.push({
        text: bullet ? c.slice(bullet[0].length) : c,
        page: 1,
        x: 0,
        y: 0,
        fontSize: 0,
        bold: false,
        kind: bullet && i === 0 ? 'bullet' : 'text',
        ...(i > 0 ? { sameRowAsPrev: true } : {}),
      });
    });
  }
  return lines.filter((l) => l.text);
}
