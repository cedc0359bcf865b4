import type { ResumeDocument } from '@jobdesk/contracts';
import { ErrorCode } from '@jobdesk/contracts';
import { extractDocx } from './extract/docx.extractor';
import { ExtractedDocument, SourceFormat } from './extract/extracted-document.types';
import { extractPdf } from './extract/pdf.extractor';
import { sniffFormat } from '@jobdesk/file-formats';
import { extractDoc } from './extract/doc.extractor';
import { extractHtml } from './extract/html.extractor';
import { extractImage } from './extract/image.extractor';
import { extractOdt } from './extract/odt.extractor';
import { extractRtf } from './extract/rtf.extractor';
import { extractText } from './extract/text.extractor';
import { ParseError } from './parse-error';
import { buildResume } from './sections/resume.builder';

export { ParseError } from './parse-error';

export const PARSER_VERSION = '0.2.0';

/** Characters of text a resume may have (a 20-page resume has ~60,000). */
export const MAX_TEXT_CHARS = 1_000_000;

/** Formats whose bytes have a signature: the bytes must agree with the format the job names. */
const SIGNED: ReadonlySet<string> = new Set(['pdf', 'docx', 'odt', 'doc', 'rtf', 'png', 'jpeg', 'html']);

export interface ParseResumeOptions {
  maxPages: number;
  onProgress?: (pct: number) => void;
  /** wall-clock budget for extraction; hostile PDFs must not hold a worker forever */
  timeoutMs?: number;
}

export async function parseResume(bytes: Buffer, format: SourceFormat, opts: ParseResumeOptions): Promise<ResumeDocument> {
  if (!bytes || bytes.length === 0) throw new ParseError(ErrorCode.EmptyFile, 'the file is empty');
  checkSignature(bytes, format);
  const ac = new AbortController();
  const doc = await withTimeout(extract(bytes, format, { ...opts, signal: ac.signal }), opts.timeoutMs ?? 30_000, ac);
  const hasText = doc.lines.some((l) => /[\p{L}\p{N}]/u.test(l.text));
  if (!hasText) {
    throw new ParseError(ErrorCode.NoText, doc.warnings.includes('no text layer') ? 'the PDF has no text layer (scanned?)' : 'no text found in the document');
  }
  const chars = doc.lines.reduce((n, l) => n + l.text.length, 0);
  if (chars > MAX_TEXT_CHARS) throw new ParseError(ErrorCode.InputTooLarge, `the document has ${chars} characters of text, the limit is ${MAX_TEXT_CHARS}`);
  const body = buildResume(doc);
  opts.onProgress?.(100);
  const warnings = [...doc.warnings];
  if (!body.basics.name) warnings.push('name not found');
  if (!body.basics.email) warnings.push('email not found');
  return {
    ...body,
    meta: {
      sourceFormat: format,
      ...(doc.pages !== undefined ? { pages: doc.pages } : {}),
      ocr: !!doc.ocr,
      parserVersion: PARSER_VERSION,
      warnings,
    },
  };
}

function extract(bytes: Buffer, format: SourceFormat, opts: ParseResumeOptions & { signal: AbortSignal }): Promise<ExtractedDocument> {
  switch (format) {
    case 'pdf':
      return extractPdf(bytes, opts);
    case 'docx':
      return extractDocx(bytes, opts);
    case 'txt':
    case 'md':
      return Promise.resolve().then(() => extractText(bytes, format));
    case 'png':
    case 'jpeg':
      return extractImage(bytes, format, opts);
    case 'html':
      return Promise.resolve().then(() => extractHtml(bytes, MAX_TEXT_CHARS));
    case 'odt':
      return Promise.resolve().then(() => extractOdt(bytes, opts));
    case 'rtf':
      return Promise.resolve().then(() => extractRtf(bytes, MAX_TEXT_CHARS));
    case 'doc':
      return extractDoc(bytes, MAX_TEXT_CHARS);
    default:
      throw new ParseError(ErrorCode.UnsupportedMediaType, `unsupported format: ${String(format)}`);
  }
}

/**
 * A file whose bytes say it is another known format ("resume.pdf" that is an HTML page) fails
 * with format_mismatch rather than a parser's confused error.
 */
function checkSignature(bytes: Buffer, format: SourceFormat): void {
  if (!SIGNED.has(format)) return;
  const actual = sniffFormat(bytes.subarray(0, 8192));
  if (actual === format || actual === 'unknown' || actual === 'zip' || actual === 'txt') return;
  throw new ParseError(ErrorCode.FormatMismatch, `the file was declared ${format.toUpperCase()} but its bytes are ${actual.toUpperCase()}`);
}

function withTimeout<T>(p: Promise<T>, ms: number, ac: AbortController): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ac.abort();
      reject(new ParseError(ErrorCode.Timeout, `parsing took longer than ${ms} ms`));
    }, ms);
    timer.unref?.();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
