import type { ResumeEducation } from '@jobdesk/contracts';
import { ExtractedLine } from '../extract/extracted-document.types';
import { splitEntries } from './entries.parser';
import { splitPieces } from './header-pieces.util';

const INSTITUTION = /universit|college|institut|school|academy|polytechnic|politecnico|école|ecole|hochschule|conservatoire|seminary|\bTU\b|\bETH\b|\bMIT\b|\bUCL\b/i;
const DEGREE = /^(bachelor|master|doctor|ph\.?\s?d|d\.?phil|mba|m\.?sc|b\.?sc|b\.?a\b|m\.?a\b|b\.?eng|m\.?eng|b\.?s\b|m\.?s\b|b\.?tech|m\.?tech|ll\.?[bm]|m\.?d\b|associate|diploma|certificate|a-levels|abitur|licenciatura|higher national|hnd|postgraduate|graduate|undergraduate|m\.?phil|ed\.?d|b\.?com|m\.?com|bba|bfa|mfa|b\.?arch|m\.?arch|m\.?res)/i;
const SCORE_RE = /[;,.·|]?\s*\b(?:gpa|cgpa|grade|final grade|score|mark|average)\s*:?\s*([\d.,]+(?:\s*\/\s*[\d.,]+)?)/i;

export function parseEducation(lines: ExtractedLine[]): ResumeEducation[] {
  return splitEntries(lines)
    .map((entry) => {
      const edu: ResumeEducation = {};
      const texts: string[] = [];
      for (const p of entry.pieces) texts.push(p.text);
      // degree lines often sit in the body ("MSc in X" under the institution line)
      const body = entry.body.map((i) => i.text);
      const all = [...texts, ...body];
      let score: string | undefined;
      const cleaned = all.map((t) => {
        const m = SCORE_RE.exec(t);
        if (m) {
          score ??= m[1].replace(/[.,]$/, '');
          return t.replace(m[0], '').trim();
        }
        return t;
      });
      let atoms = cleaned.flatMap((t) => splitPieces(t).atoms.length ? [t] : []);
      const findInst = () => atoms.find((t) => INSTITUTION.test(t) && !DEGREE.test(t.trim()));
      let inst = findInst();
      // "Stanford University — B.S. Computer Science", "B.S. Physics, MIT": both on one line
      if (!inst || !atoms.some((t) => DEGREE.test(t.trim()) && t !== inst)) {
        atoms = atoms.flatMap((t) => splitInstitutionDegree(t) ?? [t]);
        inst = findInst();
      }
      if (inst) edu.institution = firstAtom(inst, INSTITUTION);
      const degreeLine = atoms.find((t) => DEGREE.test(t.trim()) && t !== inst);
      if (degreeLine) Object.assign(edu, splitDegree(degreeLine));
      if (!edu.institution) {
        const other = atoms.find((t) => t !== degreeLine && !/^(coursework|relevant coursework|courses|thesis)\b/i.test(t));
        if (other) edu.institution = splitPieces(other).atoms[0] ?? other;
      }
      const courses = body.find((t) => /^(relevant )?(coursework|courses)\s*:/i.test(t));
      if (courses) edu.courses = courses.replace(/^[^:]*:\s*/, '').split(/\s*,\s*/).filter(Boolean);
      if (score) edu.score = score;
      if (entry.dates?.startDate) edu.startDate = entry.dates.startDate;
      if (entry.dates?.endDate) edu.endDate = entry.dates.endDate;
      return edu;
    })
    .filter((e) => e.institution || e.studyType);
}

const isInstitutionPart = (s: string) => INSTITUTION.test(s) && !DEGREE.test(s);
const isDegreePart = (s: string) => DEGREE.test(s) && !INSTITUTION.test(s);

/**
 * A line naming both the school and the degree, in either order: "Stanford University — B.S. Computer Science",
 * "MIT, B.S. Physics", "Bachelor of Science, Biology, University of Leeds". Split at the separator before
 * whichever of the two comes second; parts after each stay with it ("University of California, Berkeley").
 */
function splitInstitutionDegree(text: string): [string, string] | undefined {
  const seps = [...text.matchAll(/\s+[–—|·-]\s+|\s*\|\s*|\s*,\s*/g)];
  const parts: Array<{ text: string; start: number; sepStart: number }> = [];
  let pos = 0;
  for (const m of seps) {
    parts.push({ text: text.slice(pos, m.index).trim(), start: pos, sepStart: m.index! });
    pos = m.index! + m[0].length;
  }
  parts.push({ text: text.slice(pos).trim(), start: pos, sepStart: text.length });
  if (parts.length < 2) return undefined;
  const i = parts.findIndex((p) => isInstitutionPart(p.text));
  const d = parts.findIndex((p) => isDegreePart(p.text));
  if (i < 0 || d < 0) return undefined;
  const second = parts[Math.max(i, d)];
  const first = parts[Math.max(i, d) - 1];
  const a = text.slice(0, first.sepStart).trim();
  const b = text.slice(second.start).trim();
  return a && b ? [a, b] : undefined;
}

function firstAtom(text: string, prefer: RegExp): string {
  const { atoms } = splitPieces(text);
  return atoms.find((a) => prefer.test(a)) ?? atoms[0] ?? text;
}

/** "BSc", "B.Sc.", "MSc (Hons)", "PhD": a degree written as its abbreviation, at the start of a line. */
const DEGREE_ABBR =
  /^(?:[bm]\.?\s?(?:sc|eng|tech|com|arch|res|phil|fa|a|s)\.?|ph\.?\s?d\.?|d\.?\s?phil\.?|mba|bba|ll\.?\s?[bm]\.?|m\.?d\.?|ed\.?\s?d\.?)(?:\s*\((?:hons?|honou?rs)\.?\)|\s+(?:hons?|honou?rs)\.?)?(?=[\s,;:–—-]|$)/i;
/** "Bachelor of Arts", "Master's of Science": a degree spelt out; what follows a separator is its subject. */
const DEGREE_LONG = /^((?:bachelor|master|doctor|associate)(?:'?s)?(?:\s+degree)?\s+of\s+.+?(?:\s*\((?:hons?|honou?rs)\.?\))?)(?:\s*[,:–—(]\s*|\s+-\s+|\s+in\s+)(.+)$/i;

/**
 * "MSc in Distributed Systems", "PhD, Computational Biology", "BSc (Hons) – Adult Nursing",
 * "BSc Mathematics", "Bachelor of Arts (Economics)", "Bachelor of Design, Communication Design".
 */
export function splitDegree(text: string): { studyType?: string; area?: string } {
  const t = text.replace(/[;,.\s]+$/, '').trim();
  const area = (s: string) => {
    const a = s.split(/\s*[;·|]\s*/)[0].replace(/[.,;]+$/, '').trim();
    return (/^\((.*)\)$/.exec(a)?.[1] ?? (a.includes('(') ? a : a.replace(/\)$/, ''))).trim() || undefined;
  };
  const long = DEGREE_LONG.exec(t);
  if (long) return withArea(long[1].trim(), area(long[2]));
  const abbr = DEGREE_ABBR.exec(t);
  if (abbr) {
    const rest = t.slice(abbr[0].length).replace(/^\s*(?:[,:–—-]|\b(?:in|of)\b)?\s*/i, '');
    return withArea(abbr[0].trim(), rest ? area(rest) : undefined);
  }
  const m =
    /^(.+?)\s+(?:in|of)\s+(?!(?:arts|science|engineering|business|laws|philosophy|fine arts|technology|education|commerce|music|architecture)\b)(.+)$/i.exec(t) ??
    /^(.+?)\s*(?:,|–|—|-|:)\s+(.+)$/.exec(t);
  if (!m) return { studyType: t };
  return withArea(m[1].trim(), area(m[2]));
}

function withArea(studyType: string, area: string | undefined): { studyType?: string; area?: string } {
  return area ? { studyType, area } : { studyType };
}
