import type { ResumeDocument } from '@jobdesk/contracts';
import { ErrorCode } from '@jobdesk/contracts';
import { extractDocx } from './extract/docx.extractor';
import { ExtractedDocument, SourceFormat } from './extract/extracted-document.types';
import { extractPdf } from './extract/pdf.extractor';
import { extractImage } from './extract/image.extractor';
import { extractText } from './extract/text.extractor';
import { ParseError } from './parse-error';
import { buildResume } from './sections/resume.builder';

export { ParseError } from './parse-error';

export const PARSER_VERSION = '0.1.0';

export interface ParseResumeOptions {
  maxPages: number;
  onProgress?: (pct: number) => void;
  /** wall-clock budget for extraction; hostile PDFs must not hold a worker forever */
  timeoutMs?: number;
}

export async function parseResume(bytes: Buffer, format: SourceFormat, opts: ParseResumeOptions): Promise<ResumeDocument> {
  if (!bytes || bytes.length === 0) throw new ParseError(ErrorCode.EmptyFile, 'the file is empty');
  const ac = new AbortController();
  const doc = await withTimeout(extract(bytes, format, { ...opts, signal: ac.signal }), opts.timeoutMs ?? 30_000, ac);
  const hasText = doc.lines.some((l) => /[\p{L}\p{N}]/u.test(l.text));
  if (!hasText) {
    throw new ParseError(ErrorCode.NoText, doc.warnings.includes('no text layer') ? 'the PDF has no text layer (scanned?)' : 'no text found in the document');
  }
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
    default:
      throw new ParseError(ErrorCode.UnsupportedMediaType, `unsupported format: ${String(format)}`);
  }
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
