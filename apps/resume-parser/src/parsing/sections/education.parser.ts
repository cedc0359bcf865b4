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
      const atoms = cleaned.flatMap((t) => splitPieces(t).atoms.length ? [t] : []);
      const inst = atoms.find((t) => INSTITUTION.test(t) && !DEGREE.test(t.trim()));
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

function firstAtom(text: string, prefer: RegExp): string {
  const { atoms } = splitPieces(text);
  return atoms.find((a) => prefer.test(a)) ?? atoms[0] ?? text;
}

/** "MSc in Distributed Systems", "PhD, Computational Biology", "BSc (Hons) – Adult Nursing". */
export function splitDegree(text: string): { studyType?: string; area?: string } {
  const t = text.replace(/[;,.\s]+$/, '').trim();
  const m =
    /^(.+?)\s+(?:in|of)\s+(?!(?:arts|science|engineering|business|laws|philosophy|fine arts|technology|education|commerce|music|architecture)\b)(.+)$/i.exec(t) ??
    /^(.+?)\s*(?:,|–|—|-|:)\s+(.+)$/.exec(t);
  if (!m) return { studyType: t };
  const area = m[2].split(/\s*[;·|]\s*/)[0].replace(/[.,;]+$/, '').trim();
  return { studyType: m[1].trim(), area };
}
