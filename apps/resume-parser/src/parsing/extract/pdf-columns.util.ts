import { Segment } from './pdf-lines.util';

export interface ColumnSplit {
  header: Segment[];
  columns: Segment[][];
}

const DATEISH = /^[\s\d/.\-–—]*((jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|spring|summer|autumn|fall|winter)[a-z]*\.?[\s\d/.,\-–—]*)*(present|current|now|today)?[\s\d/.\-–—]*$/i;

const isDateish = (s: Segment) => DATEISH.test(s.text) && /\d/.test(s.text);
const isLabelish = (s: Segment) => s.text.split(/\s+/).length <= 4 && s.text.length <= 32 && (s.bold || s.text === s.text.toUpperCase());

/**
 * Finds a vertical gutter that no segment below the page header crosses and that splits the
 * page into two real text columns. Right-aligned date columns and table-style section labels are
 * not columns: reading them row by row keeps each date / label next to its entry.
 */
export function splitColumns(segments: Segment[], pageWidth: number): ColumnSplit | undefined {
  if (segments.length < 10) return undefined;
  let best: { x: number; width: number; split: ColumnSplit } | undefined;
  let runStart = -1;
  const step = 2;
  const consider = (from: number, to: number) => {
    const width = to - from;
    if (width < 6) return;
    const x = (from + to) / 2;
    const split = trySplit(segments, x);
    if (split && (!best || width > best.width)) best = { x, width, split };
  };
  for (let x = pageWidth * 0.15; x <= pageWidth * 0.85; x += step) {
    const ok = crossingOk(segments, x);
    if (ok && runStart < 0) runStart = x;
    if (!ok && runStart >= 0) {
      consider(runStart, x - step);
      runStart = -1;
    }
  }
  if (runStart >= 0) consider(runStart, pageWidth * 0.85);
  return best?.split;
}

function crossingOk(segments: Segment[], x: number): boolean {
  const crossing = segments.filter((s) => s.x < x && s.x2 > x);
  if (!crossing.length) return true;
  const lowest = Math.min(...crossing.map((s) => s.y));
  const below = segments.filter((s) => s.y < lowest - 0.5);
  return below.length >= segments.length * 0.6;
}

function trySplit(segments: Segment[], x: number): ColumnSplit | undefined {
  const crossing = segments.filter((s) => s.x < x && s.x2 > x);
  const lowest = crossing.length ? Math.min(...crossing.map((s) => s.y)) : Infinity;
  const header = segments.filter((s) => s.y >= lowest - 0.5);
  const body = segments.filter((s) => s.y < lowest - 0.5);
  const left = body.filter((s) => s.x2 <= x);
  const right = body.filter((s) => s.x >= x);
  if (left.length < 4 || right.length < 4) return undefined;
  for (const side of [left, right]) {
    if (side.filter(isDateish).length > side.length * 0.4) return undefined;
    if (side.every(isLabelish)) return undefined;
    const span = Math.max(...side.map((s) => s.y)) - Math.min(...side.map((s) => s.y));
    if (span < 120) return undefined;
  }
  // a column is mostly its own rows; label/value tables share nearly every row
  const leftRows = new Set(left.map((s) => s.row));
  const shared = right.filter((s) => leftRows.has(s.row)).length;
  if (shared > Math.min(left.length, right.length) * 0.6) return undefined;
  const top = (side: Segment[]) => Math.max(...side.map((s) => s.y));
  const columns = top(right) > top(left) + 20 ? [right, left] : [left, right];
  return { header, columns };
}
