import { ExtractedLine } from '../extract/extracted-document.types';

export type SectionKey =
  | 'header'
  | 'summary'
  | 'work'
  | 'education'
  | 'skills'
  | 'languages'
  | 'certificates'
  | 'projects'
  | 'awards'
  | 'contact'
  | 'other';

const Q = String.raw`(?:(?:professional|work|relevant|employment|career|technical|key|core|selected|personal|academic|other|additional|spoken|foreign|notable|recent|areas? of|my)\s+)*`;
const TAIL = String.raw`(?:\s*(?:&|and|\+|/)\s*[\p{L}]+)?`;
const VOCAB: Array<[SectionKey, RegExp]> = [
  ['work', /^(experience|employment|work|career|professional)\s*(history|experience|background)?$/u],
  ['work', new RegExp(String.raw`^${Q}(experience|employment|work history|career history|positions)${TAIL}$`, 'u')],
  ['education', new RegExp(String.raw`^${Q}(education|qualifications|academic background|academics|studies|training|education and training)${TAIL}$`, 'u')],
  ['certificates', new RegExp(String.raw`^${Q}(certifications?|certificates?|licen[sc]es?${TAIL}|courses${TAIL})${TAIL}$`, 'u')],
  ['languages', new RegExp(String.raw`^${Q}(languages?|language skills|language proficiency)$`, 'u')],
  ['skills', new RegExp(String.raw`^${Q}(skills?|competenc(?:ies|e)|expertise|technologies|tools|tech stack|toolbox|strengths|skill set|skillset|capabilities)${TAIL}$`, 'u')],
  ['projects', new RegExp(String.raw`^${Q}(projects?|portfolio|open source)${TAIL}$`, 'u')],
  ['awards', new RegExp(String.raw`^${Q}(awards?|honou?rs|achievements|recognition|distinctions)${TAIL}$`, 'u')],
  ['summary', new RegExp(String.raw`^${Q}(summary|profile|about|about me|objective|overview|introduction)${TAIL}$`, 'u')],
  ['contact', new RegExp(String.raw`^${Q}(contact|contacts|contact details|contact information|details|personal details|personal information|info)$`, 'u')],
];

export function headingKey(text: string, fuzzy = false): SectionKey | undefined {
  const t = text
    .toLowerCase()
    .replace(/[:.]\s*$/, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (!t || t.length > 48) return undefined;
  for (const [key, re] of VOCAB) if (re.test(t)) return key;
  if (fuzzy) {
    const fixed = t.replace(/\p{L}+/gu, nearestHeadingWord);
    if (fixed !== t) for (const [key, re] of VOCAB) if (re.test(fixed)) return key;
  }
  return undefined;
}

/** Words of the heading vocabulary, for OCR text where one letter came out wrong ("Ebucation"). */
const HEADING_WORDS = (
  'experience employment work history career professional background education qualifications academic academics ' +
  'studies training skills skill competencies expertise technologies tools strengths capabilities languages language ' +
  'certifications certificates certification licenses licences courses projects portfolio awards honors honours ' +
  'achievements recognition summary profile objective overview introduction contact details personal information ' +
  'technical selected additional relevant spoken foreign notable employment positions proficiency'
).split(' ');

function nearestHeadingWord(word: string): string {
  if (word.length < 5 || HEADING_WORDS.includes(word)) return word;
  const max = word.length >= 9 ? 2 : 1;
  let best = word;
  let bestD = max + 1;
  for (const w of HEADING_WORDS) {
    if (Math.abs(w.length - word.length) > max) continue;
    const d = editDistance(word, w, max);
    if (d < bestD) [best, bestD] = [w, d];
  }
  return best;
}

/** Levenshtein distance, giving up (returning max + 1) once it exceeds max. */
export function editDistance(a: string, b: string, max: number): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      rowMin = Math.min(rowMin, cur[j]);
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

const isUpper = (s: string) => /\p{Lu}/u.test(s) && s === s.toUpperCase();

/** A line set apart as a heading: by markup, or by looks (bold, capitals, larger type) and words. */
export function classifyHeading(line: ExtractedLine, bodySize: number, fuzzy = false): SectionKey | undefined {
  const text = line.text.trim();
  if (/\d/.test(text) || text.split(/\s+/).length > 6) return undefined;
  if (/:\s*\S/.test(text)) return undefined;
  const key = headingKey(text, fuzzy);
  const looks = line.kind === 'heading' || line.bold || isUpper(text) || (line.fontSize > 0 && line.fontSize > bodySize + 0.5) || /:$/.test(text);
  if (key) return looks || line.kind !== 'bullet' ? key : undefined;
  // unknown heading (e.g. "Volunteering"): only trusted when it looks like the known ones
  if (isUpper(text) && text.length >= 4 && line.bold && !line.sameRowAsPrev && !(line.fontSize > bodySize + 4)) return 'other';
  return undefined;
}

export function bodyFontSize(lines: ExtractedLine[]): number {
  const counts = new Map<number, number>();
  for (const l of lines) counts.set(l.fontSize, (counts.get(l.fontSize) ?? 0) + l.text.length);
  let best = 0;
  let bestCount = -1;
  for (const [size, n] of counts) if (n > bestCount) [best, bestCount] = [size, n];
  return best;
}

export interface Section {
  key: SectionKey;
  title: string;
  lines: ExtractedLine[];
}

export function splitSections(lines: ExtractedLine[], opts: { fuzzy?: boolean } = {}): Section[] {
  const body = bodyFontSize(lines);
  const sections: Section[] = [{ key: 'header', title: '', lines: [] }];
  const consumed = new Set<number>();
  let run = 0;
  for (let i = 0; i < lines.length; i++) {
    if (consumed.has(i)) continue;
    const line = lines[i];
    const prev = lines[i - 1];
    const columnChange = !!prev && prev.page === line.page && prev.column !== line.column && !line.sameRowAsPrev;
    const longRunBefore = run >= 5;
    run = columnChange ? 1 : run + 1;
    let key = classifyHeading(line, body, opts.fuzzy);
    // "Tools:" with its items on the same row is a group label inside a section, not a heading
    if (key && /:\s*$/.test(line.text) && lines[i + 1]?.sameRowAsPrev && sections.length > 1) key = undefined;
    let title = line.text;
    // headings wrapped over two lines in narrow sidebars or table cells ("PROFESSIONAL" / "CERTIFICATIONS");
    // in table layouts the cell's other columns sit between the two halves
    let j = i + 1;
    while (j < lines.length && lines[j].sameRowAsPrev) j++;
    const next = lines[j];
    if (next && !consumed.has(j) && next.bold === line.bold && next.fontSize === line.fontSize && next.column === line.column && next.x === line.x) {
      const joined = headingKey(`${line.text} ${next.text}`, opts.fuzzy);
      if (joined && (line.bold || isUpper(line.text) || line.kind === 'heading')) {
        key = joined;
        title = `${line.text} ${next.text}`;
        consumed.add(j);
      }
    }
    if (key) sections.push({ key, title, lines: [] });
    else if (columnChange && longRunBefore && sections[sections.length - 1].key !== 'header') {
      // a sidebar ends and the main column begins (name, title, summary above its first
      // heading): that text is not the sidebar's last section
      sections.push({ key: 'header', title: '', lines: [line] });
    } else sections[sections.length - 1].lines.push(line);
  }
  return sections;
}
