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

/**
 * Sink for the @font-face rules pdfjs's font loader writes when fonts are not disabled. Text
 * extraction never draws a glyph, but `disableFontFace: true` (pdfjs's Node default) makes the
 * worker compile an outline for every glyph shown and post each one across its message port — a
 * third of an operator list's cost, for paths nothing reads.
 */
const HEADLESS_DOCUMENT = {
  createElement: () => ({ sheet: { cssRules: [] as unknown[], insertRule: () => 0 }, remove: () => undefined }),
  documentElement: { getElementsByTagName: () => [{ append: () => undefined }] },
};

const COMMON_OPTIONS = {
  useSystemFonts: false,
  isEvalSupported: false,
  // verbosity 0 = errors only: silences "fake worker" and font warnings on every call
  verbosity: 0,
  stopAtErrors: false,
};

/** Text, positions and font names: glyph outlines and images are of no use here. */
const TEXT_OPTIONS = {
  ...COMMON_OPTIONS,
  disableFontFace: false,
  ownerDocument: HEADLESS_DOCUMENT,
  // 0 = every image XObject is left out of operator lists instead of being decoded
  maxImageSize: 0,
};

/** A page without text: find its images and draw it (glyphs as paths: no font loading in Node). */
const RENDER_OPTIONS = { ...COMMON_OPTIONS, disableFontFace: true };

export async function extractPdf(bytes: Buffer, opts: ExtractOptions): Promise<ExtractedDocument> {
  if (bytes.length < 8 || !bytes.subarray(0, 1024).toString('latin1').includes('%PDF-')) {
    throw new ParseError(ErrorCode.CorruptInput, 'not a PDF file (no %PDF- header)');
  }
  const pdfjs = await loadPdfjs();
  // pdfjs transfers (detaches) the buffer it is given, so hand it a copy
  const task = pdfjs.getDocument({ ...TEXT_OPTIONS, data: new Uint8Array(bytes) });
  let doc: any;
  try {
    doc = await task.promise;
  } catch (err: any) {
    await task.destroy().catch(() => undefined);
    throw mapPdfError(err);
  }
  // opened only for a page without text, to look for images and render them for OCR
  let renderDoc: any;
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
    const fontNames = new Map<string, string>();
    // annotations (link boxes) draw nothing whose font is in the text content
    const fontPass = { annotationMode: pdfjs.AnnotationMode.DISABLE };
    for (let p = 1; p <= pages; p++) {
      const page = await doc.getPage(p);
      pageHeights.set(p, (page.view as number[])[3] - (page.view as number[])[1]);
      const textLines = await extractPage(page, p, fontNames, fontPass);
      let pageLines = textLines;
      if (!pageLines.length) {
        renderDoc ??= await pdfjs.getDocument({ ...RENDER_OPTIONS, data: new Uint8Array(bytes) }).promise;
        const imagePage = await renderDoc.getPage(p);
        if (await hasImages(imagePage, pdfjs.OPS)) {
          if (ocrPages.length < MAX_OCR_PAGES) {
            throwIfAborted(opts.signal);
            const { png, width, height, pxPerPt } = await renderPageToPng(imagePage);
            throwIfAborted(opts.signal);
            const ocr = await recognize(png, { width, height }, opts.signal);
            pageLines = ocrPageToLines(ocr, { pxPerPt, pageNo: p });
            ocrPages.push(p);
          } else ocrSkipped++;
        }
        imagePage.cleanup();
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
    await renderDoc?.destroy().catch(() => undefined);
    await doc.destroy().catch(() => undefined);
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ParseError(ErrorCode.Timeout, 'parsing ran out of time');
}

async function hasImages(page: any, OPS: Record<string, number>): Promise<boolean> {
  const imageOps = new Set([OPS.paintImageXObject, OPS.paintInlineImageXObject, OPS.paintImageXObjectRepeat, OPS.paintJpegXObject].filter((n) => n !== undefined));
  const ops = await page.getOperatorList();
  return (ops.fnArray as number[]).some((fn) => imageOps.has(fn));
}

/**
 * Real font names ("ABCDEF+Inter-Bold") tell bold apart; getTextContent names fonts only by id.
 * pdfjs hands a font's name over (page.commonObjs) when an operator list first uses it, so a
 * page pays for one only when its text uses a font no earlier page has resolved — for most
 * resumes the first page alone. Fonts are per document: the cache is too.
 */
async function resolveFontNames(page: any, ids: Iterable<string>, names: Map<string, string>, fontPass: object): Promise<void> {
  const missing = [...ids].filter((id) => !names.has(id));
  if (!missing.length) return;
  await page.getOperatorList(fontPass);
  for (const id of missing) {
    let name = '';
    try {
      name = page.commonObjs.has(id) ? String(page.commonObjs.get(id)?.name ?? '') : '';
    } catch {
      name = '';
    }
    names.set(id, name);
  }
}

async function extractPage(page: any, pageNo: number, fontNames: Map<string, string>, fontPass: object): Promise<ExtractedLine[]> {
  const content = await page.getTextContent({ includeMarkedContent: false, disableNormalization: false });
  const items: any[] = [];
  const fontIds = new Set<string>();
  for (const it of content.items as any[]) {
    if (typeof it.str !== 'string' || !it.transform) continue;
    const [, b, c] = it.transform as number[];
    // rotated text (watermarks, vertical side labels) would scramble rows
    if (Math.abs(b) > 0.01 || Math.abs(c) > 0.01) continue;
    items.push(it);
    if (it.str.trim() !== '') fontIds.add(it.fontName);
  }
  await resolveFontNames(page, fontIds, fontNames, fontPass);
  const runs: PdfGlyphRun[] = [];
  for (const it of items) {
    const [a, , c, d, e, f] = it.transform as number[];
    const name = fontNames.get(it.fontName) ?? '';
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
  const lines = !split
    ? segmentsToLines(segments, pageNo, undefined)
    : [...segmentsToLines(split.header, pageNo, undefined), ...split.columns.flatMap((col, i) => segmentsToLines(col, pageNo, i))];
  if (lines.some((l) => LINK_HINT.test(l.text))) attachLinks(lines, await linkAnnotations(page));
  return lines;
}

/**
 * Text that a link may lie under: an address, or a profile's label standing in for one. Only such
 * pages ask for their annotations: pdfjs (5.x) extracts a page's text once more for the text
 * under its links, about 10 ms a page.
 */
const LINK_HINT = /https?:|www\.|\w\.[a-z]{2,}\/|linkedin|github|gitlab|twitter|stack ?overflow|behance|dribbble|medium|portfolio|website|\bweb\b|homepage/i;

/** The web addresses of a page's link annotations with their boxes ([x1, y1, x2, y2]). */
async function linkAnnotations(page: any): Promise<LinkBox[]> {
  let annotations: any[];
  try {
    annotations = await page.getAnnotations({ intent: 'display' });
  } catch {
    return [];
  }
  const out: LinkBox[] = [];
  for (const a of annotations ?? []) {
    const url = typeof a?.url === 'string' ? a.url : typeof a?.unsafeUrl === 'string' ? a.unsafeUrl : undefined;
    if (a?.subtype !== 'Link' || !url || !Array.isArray(a.rect) || a.rect.length !== 4) continue;
    const [x1, y1, x2, y2] = (a.rect as number[]).map(Number);
    out.push({ url, x1: Math.min(x1, x2), y1: Math.min(y1, y2), x2: Math.max(x1, x2), y2: Math.max(y1, y2) });
  }
  return out;
}

export interface LinkBox {
  url: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/**
 * Puts each link's address on the lines its box covers: the baseline (plus a little of the
 * glyphs' height) inside the box vertically, and more than a sliver of the line's width under it.
 * A link wrapped over two lines has a box on each ("…/in/jane-" and "doe-4f21a"): both get it.
 */
export function attachLinks(lines: ExtractedLine[], links: LinkBox[]): void {
  if (!links.length) return;
  for (const line of lines) {
    const mid = line.y + 0.3 * (line.fontSize || 10);
    const right = line.x2 ?? line.x;
    const over = links.filter((link) => {
      if (mid < link.y1 || mid > link.y2) return false;
      return Math.min(right, link.x2) - Math.max(line.x, link.x1) >= Math.min(4, (link.x2 - link.x1) / 2);
    });
    over.sort((a, b) => a.x1 - b.x1);
    const urls = [...new Set(over.map((link) => link.url))];
    if (urls.length) line.links = urls;
  }
}

function mapPdfError(err: any): ParseError {
  const name = String(err?.name ?? '');
  const msg = String(err?.message ?? err);
  if (name === 'PasswordException' || /password|encrypt/i.test(msg)) {
    return new ParseError(ErrorCode.EncryptedInput, 'the PDF is encrypted');
  }
  return new ParseError(ErrorCode.CorruptInput, `unreadable PDF: ${msg}`);
}
