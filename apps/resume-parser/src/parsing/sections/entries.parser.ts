import { ExtractedLine } from '../extract/extracted-document.types';
import { DateRange, findDateRange } from './date.normaliser';
import { endsWithLegalForm, hasLegalSuffix, isPlaceAtom, isTitleLike, splitPieces } from './header-pieces.util';
import { Item, stripBullet, toItems } from './line-items.util';

export interface RawEntry {
  /** header pieces in reading order, dates removed; bold pieces flagged */
  pieces: Array<{ text: string; bold: boolean }>;
  dates?: DateRange;
  body: Item[];
}

interface Row {
  lines: ExtractedLine[];
  text: string;
  bullet: boolean;
  dates?: DateRange;
}

function toRows(lines: ExtractedLine[]): Row[] {
  const rows: Row[] = [];
  for (const l of lines) {
    if (l.sameRowAsPrev && rows.length) {
      const r = rows[rows.length - 1];
      r.lines.push(l);
      r.text += ' | ' + l.text;
    } else rows.push({ lines: [l], text: l.text, bullet: l.kind === 'bullet' || stripBullet(l.text).bullet });
  }
  for (const r of rows) {
    if (r.bullet || r.text.length > 140) continue;
    const d = findDateRange(r.text);
    // a date inside a sentence ("... in 2019 we ...") is not an entry's date line
    if (d && (d.rest.length < 100 || r.lines.length > 1)) r.dates = d;
  }
  return rows;
}

/** A header row is short and not a sentence; "Fennwick & Hale S.L." ends in a dot and is still one. */
const isHeaderish = (r: Row) => {
  if (r.bullet || r.text.length > 110) return false;
  const t = r.text.trim();
  if (!/[.!]$/.test(t)) return true;
  return endsWithLegalForm(t) || (t.split(/\s+/).length <= 4 && !/!$/.test(t));
};

/**
 * Splits an experience/education section into entries anchored on their date lines. The
 * first entry tells how many header rows sit above its date line; later entries reuse that.
 */
export function splitEntries(lines: ExtractedLine[]): RawEntry[] {
  const rows = toRows(lines);
  const anchors = rows.map((r, i) => (r.dates ? i : -1)).filter((i) => i >= 0);
  if (!anchors.length) return splitWithoutDates(rows);
  const pre = Math.min(2, anchors[0]);
  const firstPre = rows.slice(0, anchors[0]).filter(isHeaderish).length === anchors[0] ? anchors[0] : 0;
  const preCount = Math.min(pre, firstPre);
  const entries: Array<{ start: number; anchor: number; headerEnd: number }> = [];
  for (let k = 0; k < anchors.length; k++) {
    const a = anchors[k];
    const prevEnd = k > 0 ? anchors[k - 1] + 1 : 0;
    let start = a;
    while (start > prevEnd && a - start < preCount && isHeaderish(rows[start - 1])) start--;
    let headerEnd = a + 1;
    const anchorRest = rows[a].dates!.rest;
    // "Acme Corp, Austin, TX | 2020 – 2022" names the company only: the title is on the next row
    const next = rows[headerEnd];
    // "Principal Engineer, Northwind Traders, 2017 – Present" names a title and more: the next row is its body,
    // unless that row is plainly a company ("Acme, Inc.")
    const needsMore =
      preCount === 0 &&
      (!hasTwoParts(anchorRest) || splitPieces(anchorRest).atoms.length < 2) &&
      (!namesTitleAndMore(anchorRest) || (!!next && hasLegalSuffix(next.text.trim())));
    if (needsMore && next && !next.dates && isHeaderish(next) && next.text.length <= 80 && next.text.split(/\s+/).length <= 10 && !anchors.includes(headerEnd)) headerEnd++;
    entries.push({ start, anchor: a, headerEnd });
  }
  return entries.map((e, k) => {
    const end = k + 1 < entries.length ? entries[k + 1].start : rows.length;
    const headerRows = rows.slice(e.start, e.headerEnd);
    const pieces: RawEntry['pieces'] = [];
    for (const r of headerRows) {
      for (const l of r.lines) {
        const isAnchor = r === rows[e.anchor];
        const text = isAnchor ? (findDateRange(l.text)?.rest ?? l.text) : l.text;
        if (text.trim()) pieces.push({ text: text.trim(), bold: l.bold });
      }
    }
    const bodyLines = rows.slice(e.headerEnd, end).flatMap((r) => r.lines);
    return { pieces, dates: rows[e.anchor].dates, body: toItems(bodyLines) };
  });
}

/** "Principal Engineer, Northwind Traders": a title, a comma and a part that is neither a title nor a place. */
function namesTitleAndMore(rest: string): boolean {
  const { atoms } = splitPieces(rest);
  if (atoms.length !== 1) return false;
  const parts = atoms[0].split(/\s*,\s*/);
  return parts.length >= 2 && isTitleLike(parts[0]) && parts.slice(1).some((p) => !isTitleLike(p) && !isPlaceAtom(p, true));
}

function hasTwoParts(rest: string): boolean {
  return /\s(at|@)\s|\s[–—|·-]\s|,\s|\(.+\)/.test(rest);
}

function splitWithoutDates(rows: Row[]): RawEntry[] {
  const entries: RawEntry[] = [];
  let cur: RawEntry | undefined;
  for (const r of rows) {
    const startsEntry = !r.bullet && r.lines[0].bold;
    if (!cur || (startsEntry && cur.body.length)) {
      cur = { pieces: [], body: [] };
      entries.push(cur);
    }
    if (!cur.body.length && !r.bullet && cur.pieces.length < 3) cur.pieces.push(...r.lines.map((l) => ({ text: l.text, bold: l.bold })));
    else cur.body.push(...toItems(r.lines));
  }
  return entries;
}
