import { ErrorCode } from '@jobdesk/contracts';
import { ParseError } from '../parse-error';
import { ExtractedDocument, ExtractedLine, ExtractOptions } from './extracted-document.types';
import { htmlToLines } from './html-lines.util';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const mammoth = require('mammoth') as {
  convertToHtml(input: { buffer: Buffer }): Promise<{ value: string; messages: Array<{ message: string }> }>;
  extractRawText(input: { buffer: Buffer }): Promise<{ value: string }>;
};

export async function extractDocx(bytes: Buffer, opts: ExtractOptions): Promise<ExtractedDocument> {
  // every DOCX is a zip: refuse anything else before mammoth's slower failure path
  if (bytes.length < 22 || bytes.readUInt32LE(0) !== 0x04034b50) {
    throw new ParseError(ErrorCode.CorruptInput, 'not a DOCX file (no zip header)');
  }
  const warnings: string[] = [];
  let lines: ExtractedLine[] = [];
  try {
    const html = await mammoth.convertToHtml({ buffer: bytes });
    lines = htmlToLines(html.value);
  } catch (err) {
    const msg = String((err as Error)?.message ?? err);
    if (/encrypt|password/i.test(msg)) throw new ParseError(ErrorCode.EncryptedInput, 'the DOCX is encrypted');
    if (/central directory|zip|end of data|corrupt|signature|word\/document\.xml|could not find/i.test(msg)) {
      throw new ParseError(ErrorCode.CorruptInput, `unreadable DOCX: ${msg}`);
    }
    warnings.push(`html conversion failed, used raw text: ${msg}`);
  }
  opts.onProgress?.(50);
  if (!lines.length) {
    try {
      const raw = await mammoth.extractRawText({ buffer: bytes });
      lines = raw.value
        .split(/\r?\n/)
        .map((t) => t.trim())
        .filter(Boolean)
        .map((text) => ({ text, page: 1, x: 0, y: 0, fontSize: 0, bold: false }));
    } catch (err) {
      throw new ParseError(ErrorCode.CorruptInput, `unreadable DOCX: ${String((err as Error)?.message ?? err)}`);
    }
  }
  return { format: 'docx', lines, warnings };
}
