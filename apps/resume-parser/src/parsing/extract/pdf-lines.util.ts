import { ExtractedLine } from './extracted-document.types';
import { PdfGlyphRun } from './pdf-text-item.types';

export interface Segment {
  text: string;
  x: number;
  x2: number;
  y: number;
  fontSize: number;
  bold: boolean;
  row: number;
}

/** Groups glyph runs into rows (shared baseline) and rows into segments split at wide gaps. */
export function buildSegments(runs: PdfGlyphRun[]): Segment[] {
  const items = runs.filter((r) => r.str.trim() !== '' && r.fontSize > 0.5);
  items.sort((a, b) => b.y - a.y || a.x - b.x);
  const rows: PdfGlyphRun[][] = [];
  for (const it of items) {
    const row = rows.find((r) => Math.abs(r[0].y - it.y) <= Math.max(1.5, 0.3 * Math.min(r[0].fontSize, it.fontSize)));
    if (row) row.push(it);
    else rows.push([it]);
  }
  rows.sort((a, b) => b[0].y - a[0].y);
  const segments: Segment[] = [];
  rows.forEach((row, rowIndex) => {
    row.sort((a, b) => a.x - b.x);
    let cur: PdfGlyphRun[] = [];
    let curEnd = -Infinity;
    const flush = () => {
      if (cur.length) segments.push(toSegment(cur, rowIndex));
      cur = [];
    };
    for (const it of row) {
      const size = Math.max(it.fontSize, cur[0]?.fontSize ?? 0);
      // wide gaps are tab stops, table cells or a column gutter: keep those apart
      const gap = it.x - curEnd;
      const last = cur[cur.length - 1];
      const styleChange = !!last && (last.bold !== it.bold || Math.abs(last.fontSize - it.fontSize) > 0.8);
      if (cur.length && (gap > 1.6 * size || (styleChange && gap > 0.45 * size))) flush();
      cur.push(it);
      curEnd = Math.max(curEnd, it.x + it.width);
    }
    flush();
  });
  return segments;
}

function toSegment(runs: PdfGlyphRun[], row: number): Segment {
  let text = '';
  let end = -Infinity;
  let boldChars = 0;
  let chars = 0;
  let size = 0;
  for (const r of runs) {
    const gap = r.x - end;
    if (text && gap > 0.12 * r.fontSize && !/\s$/.test(text) && !/^\s/.test(r.str)) text += ' ';
    text += r.str;
    end = Math.max(end, r.x + r.width);
    const n = r.str.trim().length;
    chars += n;
    if (r.bold) boldChars += n;
    if (n) size = Math.max(size, r.fontSize);
  }
  return {
    text: text.replace(/\s+/g, ' ').trim(),
    x: runs[0].x,
    x2: end,
    y: runs[0].y,
    fontSize: Math.round(size * 10) / 10,
    bold: boldChars > chars / 2,
    row,
  };
}

export function segmentsToLines(segments: Segment[], page: number, column: number | undefined): ExtractedLine[] {
  const lines: ExtractedLine[] = [];
  let prevRow = -1;
  for (const s of segments) {
    lines.push({
      text: s.text,
      page,
      x: Math.round(s.x * 10) / 10,
      x2: Math.round(s.x2 * 10) / 10,
      y: Math.round(s.y * 10) / 10,
      fontSize: s.fontSize,
      bold: s.bold,
      ...(column !== undefined ? { column } : {}),
      ...(s.row === prevRow ? { sameRowAsPrev: true } : {}),
    });
    prevRow = s.row;
  }
  return lines;
}

/**
 * "experi-" + "ence and" -> "experience" + "and", when the next line continues in lower case.
 * A web address or e-mail wrapped at one of its own hyphens ("linkedin.com/in/jane-" + "doe-12")
 * keeps the hyphen: nobody hyphenates inside an address, so the hyphen is the address's.
 */
export function undoHyphenation(lines: ExtractedLine[]): void {
  for (let i = 0; i + 1 < lines.length; i++) {
    const a = lines[i];
    const b = lines[i + 1];
    if (a.column !== b.column || b.sameRowAsPrev) continue;
    if (!/\p{Ll}-$/u.test(a.text) || !/^\p{Ll}/u.test(b.text)) continue;
    const m = /^(\S+)\s*(.*)$/.exec(b.text)!;
    const lastWord = /\S*$/.exec(a.text)![0];
    a.text = (isAddressPart(lastWord) ? a.text : a.text.slice(0, -1)) + m[1];
    b.text = m[2];
  }
}

/** "linkedin.com/in/jane-", "https://x.org/a-", "www.jane-" (not "client/ser-": no domain) */
function isAddressPart(word: string): boolean {
  return /:\/\/|(^|[^\w])www\.|\w\.[a-z]{2,}\//i.test(word);
}
