import { ExtractedLine } from '../extracted-document.types';
import { splitColumns } from '../pdf-columns.util';
import { buildSegments, segmentsToLines } from '../pdf-lines.util';
import { PdfGlyphRun } from '../pdf-text-item.types';
import { OcrLine, OcrPage } from './tesseract.engine';

/** Bullet glyphs as OCR tends to read them: •, ◦, ▪ and ➤ come back as *, +, «, », ¢, © … */
const OCR_BULLET = /^[•◦▪■●○➤➢►▶▸✓✔*+«»¢©®°·>~=-]$|^[—–]$/u;
const LETTER_BULLET = /^[eo]$/;

export interface OcrLayoutOptions {
  /** image pixels per PDF point (dpi / 72) */
  pxPerPt: number;
  pageNo: number;
}

/**
 * Turns OCR lines into the same lines the PDF text path produces: words become positioned
 * glyph runs (in points, y growing upwards, tilt removed), and the PDF row/segment/column logic
 * does the rest. Rules, underlines and specks (flat, wide, low-confidence "lines") are dropped.
 */
export function ocrPageToLines(page: OcrPage, opts: OcrLayoutOptions): ExtractedLine[] {
  const k = 1 / opts.pxPerPt;
  const kept = dropNoise(page.lines);
  const slope = medianSlope(kept);
  const heightPt = page.height * k;
  const runs: PdfGlyphRun[] = [];
  for (const line of kept) {
    const size = fontSizeOf(line) * k;
    const words = line.words.filter((w) => w.text.trim());
    words.forEach((w, i) => {
      let text = fixOcrToken(w.text.trim());
      if (i === 0 && words.length > 1 && (OCR_BULLET.test(text) || (LETTER_BULLET.test(text) && /^\p{Lu}/u.test(words[1].text)))) text = '•';
      // baseline at the word's left edge, then rotated back by the page's tilt
      const bx = w.bbox.x0;
      const by = baselineAt(line, bx) - slope * bx;
      runs.push({ str: text, x: bx * k, y: heightPt - by * k, width: (w.bbox.x1 - w.bbox.x0) * k, fontSize: size, bold: false, fontName: '' });
    });
  }
  const segments = buildSegments(runs);
  const split = splitColumns(segments, page.width * k);
  const lines = split
    ? [...segmentsToLines(split.header, opts.pageNo, undefined), ...split.columns.flatMap((c, i) => segmentsToLines(c, opts.pageNo, i))]
    : segmentsToLines(segments, opts.pageNo, undefined);
  return lines.map((l) => ({ ...l, text: l.text.replace(/^• ?/, '• ') }));
}

function baselineAt(line: OcrLine, x: number): number {
  const b = line.baseline;
  if (b.x1 === b.x0) return b.y0;
  return b.y0 + ((b.y1 - b.y0) * (x - b.x0)) / (b.x1 - b.x0);
}

/** Font size from the row height tesseract measured, rounded to damp its noise. */
function fontSizeOf(line: OcrLine): number {
  const h = line.rowHeight > 0 ? line.rowHeight : line.bbox.y1 - line.bbox.y0;
  // row height spans ascenders to descenders, about 1.15 em
  return Math.round((h / 1.15) * 2) / 2;
}

function medianSlope(lines: OcrLine[]): number {
  const slopes = lines
    .filter((l) => l.baseline.x1 - l.baseline.x0 > 200 && l.words.length >= 3)
    .map((l) => (l.baseline.y1 - l.baseline.y0) / (l.baseline.x1 - l.baseline.x0))
    .sort((a, b) => a - b);
  if (!slopes.length) return 0;
  const m = slopes[Math.floor(slopes.length / 2)];
  return Math.abs(m) < 0.1 ? m : 0;
}

function dropNoise(lines: OcrLine[]): OcrLine[] {
  const heights = lines.filter((l) => l.confidence >= 60).map((l) => l.bbox.y1 - l.bbox.y0).sort((a, b) => a - b);
  const typical = heights.length ? heights[Math.floor(heights.length / 2)] : 0;
  return lines.filter((l) => {
    const h = l.bbox.y1 - l.bbox.y0;
    const alnum = (l.text.match(/[\p{L}\p{N}]/gu) ?? []).length;
    if (!alnum) return false;
    // a horizontal rule read as "—_—" or "BESS"; an icon read as "Ld"
    if (typical && h < typical * 0.7 && l.confidence < 70) return false;
    if (l.confidence < 25 && alnum < 4) return false;
    return true;
  });
}

/** Confusions OCR makes inside words: "€1d214" is "e1d214" (a euro sign never sits inside a word). */
export function fixOcrToken(t: string): string {
  if (/^€(?=[0-9a-z]*[a-z])[0-9a-z-]+$/.test(t) && !/^€\d+k$/.test(t)) return 'e' + t.slice(1);
  return t;
}
