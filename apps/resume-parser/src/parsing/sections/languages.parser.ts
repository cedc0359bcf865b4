import type { ResumeLanguage } from '@jobdesk/contracts';
import { ExtractedLine } from '../extract/extracted-document.types';
import { stripBullet } from './line-items.util';

const FLUENCY = /native|bilingual|fluent|proficient|professional|advanced|intermediate|conversational|basic|beginner|elementary|limited|working|full|mother tongue|[abc][12]/i;

export function parseLanguages(lines: ExtractedLine[]): ResumeLanguage[] {
  const text = lines.map((l) => stripBullet(l.text).text).join(', ');
  const out: ResumeLanguage[] = [];
  for (const part of text.split(/\s*[,;|•·]\s*|\s{2,}/)) {
    const p = part.trim();
    if (!p || /^language\s*:\s*(level|fluency|proficiency)$/i.test(p)) continue;
    const m = /^([\p{Lu}][\p{L}'’ ]{1,30}?)\s*(?:\(([^)]+)\)|[:–—-]\s*(.+))?$/u.exec(p);
    if (!m) continue;
    const language = m[1].trim();
    const fluency = (m[2] ?? m[3])?.trim();
    if (!fluency && !/^[\p{Lu}][\p{Ll}]+$/u.test(language)) continue;
    if (fluency && !FLUENCY.test(fluency) && fluency.split(/\s+/).length > 3) continue;
    out.push(fluency ? { language, fluency } : { language });
  }
  return out;
}
