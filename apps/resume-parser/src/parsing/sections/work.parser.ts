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
      const split = entry.pieces.map((piece) => ({ piece, ...splitPieces(piece.text) }));
      for (const { piece, atoms: a, location: loc } of split) {
        location ??= loc;
        // a bold run that Word kept apart from the company ("Staff Nurse – Acute Medicine") is one atom
        const othersNameSomething = split.some((o) => o.piece !== piece && o.atoms.length > 0);
        if (piece.bold && othersNameSomething && a.length > 1 && !a.some(isOrgLike)) atoms.push({ text: piece.text, bold: true });
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
  const titleAt = atoms.findIndex(isTitleLike);
  const orgAt = atoms.findIndex((a, i) => i !== titleAt && isOrgLike(a));
  if (titleAt >= 0 && orgAt >= 0 && atoms.length > 2) {
    // "Staff Nurse – Acute Medicine – Mistral Peak Hospital Inc.": what sits next to the title,
    // on the side away from the company, still belongs to the title
    const step = orgAt > titleAt ? -1 : 1;
    let from = titleAt;
    let to = titleAt;
    if (step === -1) while (to + 1 < orgAt && !isOrgLike(atoms[to + 1])) to++;
    else while (from - 1 > orgAt && !isOrgLike(atoms[from - 1])) from--;
    if (to > from) {
      work.position = atoms.slice(from, to + 1).join(' – ');
      work.name = atoms[orgAt];
      return;
    }
  }
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
