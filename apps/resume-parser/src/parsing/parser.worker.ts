import type { ResumeDocument } from '@jobdesk/contracts';
import { SourceFormat } from './extract/extracted-document.types';
import { loadPdfjs, useSynchronousInflate } from './extract/pdfjs-loader';
import { ParseError, parseResume } from './parse-resume';

// This thread only parses: set it up for pdfjs and load pdfjs now, once, rather than inside the
// first document's parse time. A failed load is retried (and reported) by that first PDF.
useSynchronousInflate();
loadPdfjs().catch(() => undefined);

export interface ParseTask {
  bytes: Uint8Array;
  format: SourceFormat;
  maxPages: number;
}

export type ParseTaskResult = ResumeDocument | { error: { code: string; message: string } };

/**
 * Piscina entry. Errors thrown across the thread boundary lose their class and own fields, so
 * bad-input failures come back as a value carrying their stable code.
 */
export default async function parseTask({ bytes, format, maxPages }: ParseTask): Promise<ParseTaskResult> {
  try {
    // structured clone turns a Buffer into a plain Uint8Array
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return await parseResume(buf, format, { maxPages });
  } catch (err) {
    if (err instanceof ParseError) return { error: { code: err.code, message: err.message } };
    // anything else is a bug, not bad input: let piscina reject so it is logged with its stack
    throw err;
  }
}
