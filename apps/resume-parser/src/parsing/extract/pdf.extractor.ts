import { ErrorCode } from '@jobdesk/contracts';
import { ParseError } from '../parse-error';
import { ExtractedDocument, ExtractedLine, ExtractOptions } from './extracted-document.types';
import { buildSegments, segmentsToLines, undoHyphenation } from './pdf-lines.util';
import { splitColumns } from './pdf-columns.util';
import { PdfGlyphRun } from './pdf-text-item.types';
import { loadPdfjs } from './pdfjs-loader';
import { dropRunningHeaders } from './running-headers.util';
import { ocrPageToLines } from './ocr/ocr-lines.util';
import { renderPageToPng } from './ocr/pdf-render';
import { recognize } from './ocr/tesseract.engine';

/** Pages without a text layer that are OCRed at most: OCR costs seconds per page. */
export const MAX_OCR_PAGES = 5;

const BOLD_FONT = /bold|black|heavy|semibold|demi|cmbx|cmb\d|-bd|\.b$/i;

export async function extractPdf(bytes: Buffer, opts: ExtractOptions): Promise<ExtractedDocument> {
  if (bytes.length < 8 || !bytes.subarray(0, 1024).toString('latin1').includes('%PDF-')) {
    throw new ParseError(ErrorCode.CorruptInput, 'not a PDF file (no %PDF- header)');
  }
  const pdfjs = await loadPdfjs();
  const task = pdfjs.getDocument({
    // pdfjs transfers (detaches) the buffer it is given, so hand it a copy
    data: new Uint8Array(bytes),
    disableFontFace: true,
    useSystemFonts: false,
    isEvalSupported: false,
    // verbosity 0 = errors only: silences "fake worker" and font warnings on every call
    verbosity: 0,
    stopAtErrors: false,
  });
  let doc: any;
  try {
    doc = await task.promise;
  } catch (err: any) {
    await task.destroy().catch(() => undefined);
    throw mapPdfError(err);
  }
  try {
    const pages = doc.numPages as number;
    if (pages > opts.maxPages) {
      throw new ParseError(ErrorCode.TooManyPages, `document has ${pages} pages, the limit is ${opts.maxPages}`);
    }
    const warnings: string[] = [];
    const lines: ExtractedLine[] = [];
    const emptyPages: number[] = [];
    const ocrPages: number[] = [];
    let ocrSkipped = 0;
    const pageHeights = new Map<number, number>();
    for (let p = 1; p <= pages; p++) {
      const page = await doc.getPage(p);
      pageHeights.set(p, (page.view as number[])[3] - (page.view as number[])[1]);
      const { lines: textLines, hasImages } = await extractPage(page, p, pdfjs.OPS);
      let pageLines = textLines;
      if (!pageLines.length && hasImages) {
        if (ocrPages.length < MAX_OCR_PAGES) {
          throwIfAborted(opts.signal);
          const { png, width, height, pxPerPt } = await renderPageToPng(page);
          throwIfAborted(opts.signal);
          const ocr = await recognize(png, { width, height }, opts.signal);
          pageLines = ocrPageToLines(ocr, { pxPerPt, pageNo: p });
          ocrPages.push(p);
        } else ocrSkipped++;
      }
      if (!textLines.length) emptyPages.push(p);
      lines.push(...pageLines);
      page.cleanup();
      opts.onProgress?.(Math.round((p / pages) * 60));
    }
    undoHyphenation(lines);
    if (emptyPages.length === pages) warnings.push('no text layer');
    else if (emptyPages.length) warnings.push(`no text layer on page(s) ${emptyPages.join(', ')}`);
    if (ocrPages.length) warnings.push(ocrPages.length === pages ? 'no text layer: OCR used' : `OCR used on page(s) ${ocrPages.join(', ')}`);
    if (ocrSkipped) warnings.push(`${ocrSkipped} image-only page(s) beyond the first ${MAX_OCR_PAGES} were not OCRed`);
    const kept = dropRunningHeaders(lines.filter((l) => l.text !== ''), pageHeights);
    return { format: 'pdf', pages, lines: kept, warnings, ocr: ocrPages.length > 0 };
  } catch (err) {
    throw err instanceof ParseError ? err : mapPdfError(err);
  } finally {
    await doc.destroy().catch(() => undefined);
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ParseError(ErrorCode.Timeout, 'parsing ran out of time');
}

async function extractPage(page: any, pageNo: number, OPS: Record<string, number>): Promise<{ lines: ExtractedLine[]; hasImages: boolean }> {
  const content = await page.getTextContent({ includeMarkedContent: false, disableNormalization: false });
  // fonts (and so their real names, which tell bold apart) reach commonObjs via the operator list
  const ops = await page.getOperatorList();
  const imageOps = new Set([OPS.paintImageXObject, OPS.paintInlineImageXObject, OPS.paintImageXObjectRepeat, OPS.paintJpegXObject].filter((n) => n !== undefined));
  const hasImages = (ops.fnArray as number[]).some((fn) => imageOps.has(fn));
  const fontNames = new Map<string, string>();
  const fontName = (id: string) => {
    if (!fontNames.has(id)) {
      let name = '';
      try {
        name = page.commonObjs.has(id) ? (page.commonObjs.get(id)?.name ?? '') : '';
      } catch {
        name = '';
      }
      fontNames.set(id, name);
    }
    return fontNames.get(id)!;
  };
  const runs: PdfGlyphRun[] = [];
  for (const it of content.items as any[]) {
    if (typeof it.str !== 'string' || !it.transform) continue;
    const [a, b, c, d, e, f] = it.transform as number[];
    // rotated text (watermarks, vertical side labels) would scramble rows
    if (Math.abs(b) > 0.01 || Math.abs(c) > 0.01) continue;
    const name = fontName(it.fontName);
    runs.push({
      str: it.str,
      x: e,
      y: f,
      width: it.width,
      fontSize: Math.hypot(c, d) || Math.abs(a),
      bold: BOLD_FONT.test(name),
      fontName: name,
    });
  }
  const segments = buildSegments(runs);
  const [, , width] = page.view as number[];
  const split = splitColumns(segments, width);
  if (!split) return { lines: segmentsToLines(segments, pageNo, undefined), hasImages };
  return {
    lines: [...segmentsToLines(split.header, pageNo, undefined), ...split.columns.flatMap((col, i) => segmentsToLines(col, pageNo, i))],
    hasImages,
  };
}

function mapPdfError(err: any): ParseError {
  const name = String(err?.name ?? '');
  const msg = String(err?.message ?? err);
  if (name === 'PasswordException' || /password|encrypt/i.test(msg)) {
    return new ParseError(ErrorCode.EncryptedInput, 'the PDF is encrypted');
  }
  return new ParseError(ErrorCode.CorruptInput, `unreadable PDF: ${msg}`);
}
