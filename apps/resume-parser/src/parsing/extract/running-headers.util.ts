import { ExtractedLine } from './extracted-document.types';

const ZONE = 0.15;
const PAGE_NUMBER = /^(page\s*)?\d{1,3}(\s*(of|\/)\s*\d{1,3})?$|^[-–—]\s*\d{1,3}\s*[-–—]$/i;

const tokens = (s: string) =>
  s
    .toLowerCase()
    .split(/[^\p{L}]+/u)
    .filter((t) => t.length > 1);

function dice(a: string[], b: string[]): number {
  if (!a.length || !b.length) return 0;
  const pool = new Map<string, number>();
  for (const t of a) pool.set(t, (pool.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of b) {
    const n = pool.get(t) ?? 0;
    if (n > 0) {
      common++;
      pool.set(t, n - 1);
    }
  }
  return (2 * common) / (a.length + b.length);
}

/**
 * Drops page furniture of multi-page PDFs: page numbers, and running headers/footers that
 * repeat a line of another page's top or bottom band (the contact line a Word header puts on
 * every page). The first page keeps its copy: it often is the resume's own contact line.
 */
export function dropRunningHeaders(lines: ExtractedLine[], pageHeights: Map<number, number>): ExtractedLine[] {
  const zoneOf = (l: ExtractedLine): 'top' | 'bottom' | undefined => {
    const h = pageHeights.get(l.page);
    if (!h) return undefined;
    if (l.y > h * (1 - ZONE)) return 'top';
    if (l.y < h * ZONE) return 'bottom';
    return undefined;
  };
  const banded = lines.map((l) => ({ l, zone: zoneOf(l), toks: tokens(l.text) }));
  return banded
    .filter(({ l, zone, toks }) => {
      if (!zone) return true;
      if (pageHeights.size > 1 && PAGE_NUMBER.test(l.text.trim())) return false;
      if (l.page === 1 || toks.length < 2) return true;
      return !banded.some((o) => o.l.page !== l.page && o.zone === zone && dice(toks, o.toks) >= 0.75);
    })
    .map(({ l }) => l);
}
