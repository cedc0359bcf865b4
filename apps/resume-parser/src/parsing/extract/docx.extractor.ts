import { ErrorCode } from '@jobdesk/contracts';
import { ParseError } from '../parse-error';
import { ExtractedDocument, ExtractedLine, ExtractOptions } from './extracted-document.types';
import { htmlToLines } from './html-lines.util';

import { DEFAULT_ZIP_LIMITS, readZipEntries, ZipLimits } from './zip.util';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const mammoth = require('mammoth') as {
  convertToHtml(input: { buffer: Buffer }, options?: object): Promise<{ value: string; messages: Array<{ message: string }> }>;
  extractRawText(input: { buffer: Buffer }): Promise<{ value: string }>;
  images: { imgElement(f: (image: unknown) => Promise<{ src: string }>): unknown };
};

const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

export async function extractDocx(bytes: Buffer, opts: ExtractOptions, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ExtractedDocument> {
  // a password-protected DOCX is an OLE2 container holding the encrypted package
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(OLE_MAGIC)) {
    if (bytes.includes(Buffer.from('EncryptedPackage', 'utf16le'))) throw new ParseError(ErrorCode.EncryptedInput, 'the DOCX is password-protected');
    throw new ParseError(ErrorCode.CorruptInput, 'not a DOCX file (an OLE2 file: legacy .doc?)');
  }
  // every DOCX is a zip: refuse anything else before mammoth's slower failure path
  if (bytes.length < 22 || bytes.readUInt32LE(0) !== 0x04034b50) {
    throw new ParseError(ErrorCode.CorruptInput, 'not a DOCX file (no zip header)');
  }
  // mammoth inflates every XML part in memory: inflate them here first, within a budget, so a
  // zip bomb ends as input_too_large instead of exhausting the worker's heap
  const parts = readZipEntries(bytes, 'DOCX', (n) => /\.(xml|rels)$/i.test(n), limits);
  if (!parts.has('word/document.xml') && ![...parts.keys()].some((k) => /^word\/document\d*\.xml$/.test(k))) {
    throw new ParseError(ErrorCode.CorruptInput, 'unreadable DOCX: no word/document.xml');
  }
  const warnings: string[] = [];
  let lines: ExtractedLine[] = [];
  try {
    // images are never read: a resume's photo adds nothing and may be huge
    const html = await mammoth.convertToHtml({ buffer: bytes }, { convertImage: mammoth.images.imgElement(() => Promise.resolve({ src: '' })) });
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
