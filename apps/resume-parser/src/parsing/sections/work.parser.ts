import type { ResumeWork } from '@jobdesk/contracts';
import { ExtractedLine } from '../extract/extracted-document.types';
import { splitEntries } from './entries.parser';
import { isOrgLike, isTitleLike, splitPieces } from './header-pieces.util';

export function parseWork(lines: ExtractedLine[]): ResumeWork[] {
  return splitEntries(lines)
    .map((entry) => {
      const work: ResumeWork = {};
      const atoms: Array<{ text: string; bold: boolean }> = [];
      let location: string | undefined;
      for (const piece of entry.pieces) {
        const { atoms: a, location: loc } = splitPieces(piece.text);
        location ??= loc;
        // a bold run that Word kept apart from the rest ("Staff Nurse – Acute Medicine") is one atom
        if (piece.bold && entry.pieces.length > 1 && a.length > 1 && !a.some(isOrgLike)) atoms.push({ text: piece.text, bold: true });
        else atoms.push(...a.map((text) => ({ text, bold: piece.bold })));
      }
      assignWorkFields(work, atoms.map((a) => a.text));
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

function assignWorkFields(work: ResumeWork, atoms: string[]): void {
  const rest = [...atoms];
  const titleIdx = rest.findIndex(isTitleLike);
  if (titleIdx >= 0) work.position = rest.splice(titleIdx, 1)[0];
  const orgIdx = rest.findIndex(isOrgLike);
  if (orgIdx >= 0) work.name = rest.splice(orgIdx, 1)[0];
  if (!work.position && rest.length && work.name) work.position = rest.shift();
  if (!work.name && rest.length) work.name = rest.shift();
  if (!work.position && rest.length) work.position = rest.shift();
  if (!work.name && work.position && atoms.length === 1) {
    // a lone atom is more often the company in "Company / Position" layouts missing a title word
    return;
  }
}
