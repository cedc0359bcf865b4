import type { ResumeWork } from '@jobdesk/contracts';
import { ExtractedLine } from '../extract/extracted-document.types';
import { splitEntries } from './entries.parser';
import { hasLegalSuffix, isOrgLike, isPlaceAtom, isTitleLike, splitPieces } from './header-pieces.util';

/** One part of a work entry's header: its text, the header line it came from, what " at " says it is. */
interface Atom {
  text: string;
  line: number;
  hint?: 'title' | 'org';
}

export function parseWork(lines: ExtractedLine[]): ResumeWork[] {
  return splitEntries(lines)
    .map((entry) => {
      const work: ResumeWork = {};
      const atoms: Atom[] = [];
      let location: string | undefined;
      const split = entry.pieces.map((piece) => ({ piece, ...splitHeaderPiece(piece.text) }));
      split.forEach(({ piece, atoms: a, location: loc }, line) => {
        location ??= loc;
        // a bold run that Word kept apart from the company ("Staff Nurse – Acute Medicine") is one atom
        const othersNameSomething = split.some((o) => o.piece !== piece && o.atoms.length > 0);
        if (piece.bold && othersNameSomething && a.length > 1 && !loc && !a.some((x) => isOrgLike(x.text) || x.hint)) atoms.push({ text: piece.text, line });
        else atoms.push(...a.map((x) => ({ ...x, line })));
      });
      const fields = assignWorkFields(atoms);
      if (fields.position) work.position = fields.position;
      if (fields.name) work.name = fields.name;
      location ??= fields.location;
      if (location) work.location = location;
      if (entry.dates?.startDate) work.startDate = entry.dates.startDate;
      if (entry.dates?.endDate && !entry.dates.current) {
        if (entry.dates.startDate) work.endDate = entry.dates.endDate;
        else work.startDate = work.endDate = entry.dates.endDate;
      }
      const body = entry.body.map((i) => i.text).filter(Boolean);
      const firstBullet = entry.body.findIndex((i) => i.bullet);
      if (firstBullet > 0 && !entry.body[0].bullet) {
        work.summary = body[0];
        work.highlights = body.slice(1);
      } else if (body.length) work.highlights = body;
      if (work.highlights && !work.highlights.length) delete work.highlights;
      return work;
    })
    .filter((w) => w.name || w.position);
}

/** "Programmer at Babbage & Co, Cambridge": what stands before " at " is the title, what follows the company. */
function splitHeaderPiece(text: string): { atoms: Array<{ text: string; hint?: Atom['hint'] }>; location?: string } {
  const at = /^(.+?)\s+(?:at|@)\s+(.+)$/.exec(text);
  if (at) {
    const left = splitPieces(at[1]);
    const right = splitPieces(at[2], { orgFirst: true });
    if (left.atoms.length && right.atoms.length) {
      return {
        atoms: [
          ...left.atoms.map((t, i) => ({ text: t, hint: i === left.atoms.length - 1 ? ('title' as const) : undefined })),
          ...right.atoms.map((t, i) => ({ text: t, hint: i === 0 ? ('org' as const) : undefined })),
        ],
        location: left.location ?? right.location,
      };
    }
  }
  const { atoms, location } = splitPieces(text);
  return { atoms: atoms.map((t) => ({ text: t })), location };
}

/**
 * Picks the title and the company among a header's atoms: by what " at " said, then by title words
 * and company words/legal forms. Parts next to the title that name neither stay with the title
 * ("Staff Nurse – Acute Medicine"); a place-shaped part after both is the town ("… | Babbage & Co | Cambridge").
 */
export function assignWorkFields(atoms: Atom[]): { position?: string; name?: string; location?: string } {
  const n = atoms.length;
  const pick = (ok: (a: Atom, i: number) => boolean, ...excl: number[]) => atoms.findIndex((a, i) => !excl.includes(i) && ok(a, i));
  let t = pick((a) => a.hint === 'title');
  if (t < 0) t = pick((a) => isTitleLike(a.text));
  let o = pick((a) => a.hint === 'org', t);
  if (o < 0) o = pick((a) => hasLegalSuffix(a.text), t);
  if (o < 0) o = pick((a) => isOrgLike(a.text), t);
  if (t >= 0 && o < 0) {
    // the company is named on another line than the title, when there is one; else the first other part
    const free = (a: Atom, i: number) => i !== t && !isPlaceAtom(a.text, true);
    o = pick((a, i) => free(a, i) && a.line !== atoms[t].line);
    if (o < 0) o = pick(free);
  }
  if (o >= 0 && t < 0) t = pick((a) => !isPlaceAtom(a.text, true), o);
  if (t < 0 && o < 0 && n) {
    // nothing to go by: "Company / Position" is the more common order
    o = 0;
    t = n > 1 ? 1 : -1;
  }
  const used = new Set([t, o].filter((i) => i >= 0));
  let from = t;
  let to = t;
  if (t >= 0) {
    const sameLine = (i: number) => i >= 0 && i < n && atoms[i].line === atoms[t].line && !used.has(i);
    const joins = (i: number) => sameLine(i) && !isOrgLike(atoms[i].text) && !isPlaceAtom(atoms[i].text, true);
    if (o >= 0 && atoms[o].line === atoms[t].line) {
      // only what sits between the title and the company
      if (o > t) while (to + 1 < o && joins(to + 1)) to++;
      else while (from - 1 > o && joins(from - 1)) from--;
    } else {
      while (joins(to + 1)) to++;
    }
  }
  for (let i = from; i <= to && i >= 0; i++) used.add(i);
  let position = t >= 0 ? atoms.slice(from, to + 1).map((a) => a.text).join(' – ') : undefined;
  let name = o >= 0 ? atoms[o].text : undefined;
  let location: string | undefined;
  if (t >= 0 && o >= 0) {
    // "Title, Company — City" / "Title | Company | City": a place after both, at the end of their line
    const last = Math.max(t, o);
    let end = last;
    while (end + 1 < n && atoms[end + 1].line === atoms[last].line) end++;
    if (end > last && !used.has(end) && isPlaceAtom(atoms[end].text)) location = atoms[end].text;
  }
  if (!location) location = atoms.find((a, i) => !used.has(i) && isPlaceAtom(a.text, true))?.text;
  if (!name && position) {
    // "Programmer, Quillfeather": a title, a comma and what is not a title is the company
    const m = /^([^,]+),\s*([^,]+)$/.exec(position);
    if (m && isTitleLike(m[1]) && !isTitleLike(m[2])) [position, name] = [m[1], m[2]];
  }
  return { position, name, location };
}
