import type { ResumeSkill } from '@jobdesk/contracts';
import { ExtractedLine } from '../extract/extracted-document.types';
import { stripBullet } from './line-items.util';

const SPLIT = /\s*(?:[,;|•·◦▪]|\s[–—-]\s)\s*/;
const GROUP_RE = /^([^:]{2,40}):\s*(.*)$/;

export function parseSkills(lines: ExtractedLine[]): ResumeSkill[] {
  const groupLines = lines.filter((l) => GROUP_RE.test(stripBullet(l.text).text));
  if (groupLines.length >= 1 && groupLines.length >= lines.filter((l) => !l.sameRowAsPrev).length / 3) return grouped(lines);
  return flat(lines).map((name) => ({ name }));
}

function grouped(lines: ExtractedLine[]): ResumeSkill[] {
  const groups: Array<{ name: string; text: string }> = [];
  for (const l of lines) {
    const text = stripBullet(l.text).text;
    const m = GROUP_RE.exec(text);
    const cur = groups[groups.length - 1];
    if (m) groups.push({ name: m[1].trim(), text: m[2] });
    // chips / cells on the label's row are separate items; a wrapped comma list continues
    else if (cur) cur.text += !cur.text.trim() || /[,;|•·]\s*$/.test(cur.text) ? ` ${text}` : l.sameRowAsPrev ? `, ${text}` : (wrapJoin(cur.text) ? ' ' : ', ') + text;
  }
  return groups.map((g) => ({ name: g.name, keywords: splitList(g.text) })).filter((g) => g.keywords.length);
}

const wrapJoin = (prev: string) => /[,;|]\s*$/.test(prev);

function flat(lines: ExtractedLine[]): string[] {
  const rows = lines.filter((l) => !l.sameRowAsPrev);
  const listy = rows.filter((l) => SPLIT.test(l.text)).length;
  const onePerLine = listy < rows.length / 2 || lines.some((l) => l.kind === 'bullet' || stripBullet(l.text).bullet);
  let text = '';
  for (const l of lines) {
    const t = stripBullet(l.text).text;
    if (!text) text = t;
    else if (l.sameRowAsPrev || onePerLine || /[,;|•·]\s*$/.test(text)) text += `, ${t}`;
    // a comma list wrapped mid-item ("Financial" / "modelling") continues the item
    else text += ` ${t}`;
  }
  return splitList(text);
}

export function splitList(text: string): string[] {
  return text
    .split(SPLIT)
    .map((s) => s.replace(/^(and|&)\s+/i, '').replace(/[.;:]+$/, '').trim())
    .filter((s) => s && s.length <= 60);
}
