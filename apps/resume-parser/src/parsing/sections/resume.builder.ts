import type { ResumeDocument } from '@jobdesk/contracts';
import { ExtractedDocument, ExtractedLine } from '../extract/extracted-document.types';
import { parseBasics } from './basics.parser';
import { parseEducation } from './education.parser';
import { Section, SectionKey, splitSections } from './heading.util';
import { parseLanguages } from './languages.parser';
import { parseAwards, parseCertificates, parseProjects } from './misc.parser';
import { parseSkills } from './skills.parser';
import { parseWork } from './work.parser';

export type ResumeBody = Omit<ResumeDocument, 'meta'>;

export function buildResume(doc: ExtractedDocument): ResumeBody {
  const sections = splitSections(doc.lines, { fuzzy: !!doc.ocr });
  const linesOf = (key: SectionKey): ExtractedLine[] => sections.filter((s: Section) => s.key === key).flatMap((s) => s.lines);
  return {
    basics: parseBasics({
      all: doc.lines,
      header: linesOf('header'),
      contact: linesOf('contact'),
      summary: linesOf('summary'),
    }),
    work: parseWork(linesOf('work')),
    education: parseEducation(linesOf('education')),
    skills: parseSkills(linesOf('skills')),
    languages: parseLanguages(linesOf('languages')),
    certificates: parseCertificates(linesOf('certificates')),
    projects: parseProjects(linesOf('projects')),
    awards: parseAwards(linesOf('awards')),
  };
}
