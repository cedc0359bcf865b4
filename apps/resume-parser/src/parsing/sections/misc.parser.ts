import type { ResumeAward, ResumeCertificate, ResumeProject } from '@jobdesk/contracts';
import { ExtractedLine } from '../extract/extracted-document.types';
import { findDateRange } from './date.normaliser';
import { toItems } from './line-items.util';

function splitNameRest(text: string): { name: string; rest?: string; date?: string } {
  const d = /\(([^()]*\d{4}[^()]*)\)\s*$/.exec(text);
  let t = text;
  let date: string | undefined;
  if (d) {
    date = findDateRange(d[1])?.endDate ?? findDateRange(d[1])?.startDate;
    t = text.slice(0, d.index).trim();
  } else {
    const r = findDateRange(text);
    if (r && r.rest.length < text.length) {
      date = r.endDate ?? r.startDate;
      t = r.rest;
    }
  }
  const m = /^(.+?)\s+[–—|·]\s+(.+)$/.exec(t) ?? /^(.+?),\s+([^,]+)$/.exec(t);
  return m ? { name: m[1].trim(), rest: m[2].trim(), date } : { name: t.trim(), date };
}

export function parseCertificates(lines: ExtractedLine[]): ResumeCertificate[] {
  return toItems(lines)
    .filter((i) => i.text.length > 2)
    .map((i) => {
      const { name, rest, date } = splitNameRest(i.text);
      const c: ResumeCertificate = { name };
      if (rest) c.issuer = rest;
      if (date) c.date = date;
      return c;
    });
}

export function parseAwards(lines: ExtractedLine[]): ResumeAward[] {
  return toItems(lines).map((i) => {
    const { name, rest, date } = splitNameRest(i.text);
    const a: ResumeAward = { title: name };
    if (rest) a.awarder = rest;
    if (date) a.date = date;
    return a;
  });
}

export function parseProjects(lines: ExtractedLine[]): ResumeProject[] {
  const projects: ResumeProject[] = [];
  for (const item of toItems(lines)) {
    const m = /^([^:]{2,60}?)\s*(?::|[–—]\s)\s*(.+)$/.exec(item.text);
    const cur = projects[projects.length - 1];
    if (m && !(item.bullet && cur)) projects.push({ name: m[1].trim(), description: m[2].trim() });
    else if (cur && item.bullet) (cur.highlights ??= []).push(item.text);
    else projects.push({ name: item.text });
  }
  return projects;
}
