import { ExtractedLine } from '../extract/extracted-document.types';
import { headingKey, splitSections } from './heading.util';
import { parseSkills } from './skills.parser';
import { parseWork } from './work.parser';

const flow = (text: string, extra: Partial<ExtractedLine> = {}): ExtractedLine => ({ text, page: 1, x: 0, y: 0, fontSize: 0, bold: false, ...extra });

describe('work entries', () => {
  it('keeps a two-part title together when the company is named apart', () => {
    const work = parseWork([flow('Staff Nurse – Acute Medicine – Mistral Peak Hospital Inc. (Remote)'), flow('07/2023 – Today', { sameRowAsPrev: true }), flow('Cared for patients', { kind: 'bullet' })]);
    expect(work[0]).toMatchObject({ position: 'Staff Nurse – Acute Medicine', name: 'Mistral Peak Hospital Inc.', location: 'Remote', startDate: '2023-07' });
  });

  it('reads the title from the row under a company-only date row', () => {
    const work = parseWork([flow('Northwind Freight Pty Ltd, Austin, TX'), flow('2020 — 2023', { sameRowAsPrev: true }), flow('Operations Analyst'), flow('Reduced costs', { kind: 'bullet' })]);
    expect(work[0]).toMatchObject({ name: 'Northwind Freight Pty Ltd', position: 'Operations Analyst', location: 'Austin, TX', startDate: '2020', endDate: '2023' });
    expect(work[0].highlights).toEqual(['Reduced costs']);
  });

  it('takes a company ending in a legal-form abbreviation as a header row', () => {
    const work = parseWork([
      flow('Talent Acquisition Partner', { bold: true }),
      flow('12/2018 to 12/2020', { sameRowAsPrev: true }),
      flow('Thistledown & Hale B.V.'),
      flow('Launched a programme', { kind: 'bullet' }),
    ]);
    expect(work[0]).toMatchObject({ name: 'Thistledown & Hale B.V.', position: 'Talent Acquisition Partner' });
  });

  it('reads a historical date range on an entry row', () => {
    const work = parseWork([flow('Curator, Royal Museum'), flow('1843 – 1852', { sameRowAsPrev: true }), flow('Catalogued 1843 letters', { kind: 'bullet' })]);
    expect(work[0]).toMatchObject({ startDate: '1843', endDate: '1852', highlights: ['Catalogued 1843 letters'] });
  });

  it('splits "Title — Company" markdown headings without company words', () => {
    const work = parseWork([flow('Junior Data Analyst — Quillfeather AI', { kind: 'heading', bold: true }), flow('2018–2022 · Dublin, Ireland'), flow('Ran tests', { kind: 'bullet' })]);
    expect(work[0]).toMatchObject({ position: 'Junior Data Analyst', name: 'Quillfeather AI', startDate: '2018', endDate: '2022' });
  });
});

describe('skills', () => {
  it('reads chips on a label row as separate keywords, and a wrapped chip row too', () => {
    const skills = parseSkills([
      flow('Design:', { bold: true }),
      flow('Design systems', { sameRowAsPrev: true }),
      flow('User research', { sameRowAsPrev: true }),
      flow('Prototyping'),
      flow('Code:', { bold: true }),
      flow('HTML', { sameRowAsPrev: true }),
      flow('CSS', { sameRowAsPrev: true }),
    ]);
    expect(skills).toEqual([
      { name: 'Design', keywords: ['Design systems', 'User research', 'Prototyping'] },
      { name: 'Code', keywords: ['HTML', 'CSS'] },
    ]);
  });
});

describe('headings', () => {
  it('does not take a "Tools:" group label with same-row items for a heading', () => {
    const sections = splitSections([flow('Skills', { kind: 'heading' }), flow('Tools:', { bold: true }), flow('Figma', { sameRowAsPrev: true })]);
    expect(sections.map((s) => s.key)).toEqual(['header', 'skills']);
    expect(sections[1].lines.map((l) => l.text)).toEqual(['Tools:', 'Figma']);
  });

  it('matches OCR-garbled headings only in fuzzy mode', () => {
    expect(headingKey('Ebucation & Training')).toBeUndefined();
    expect(headingKey('Ebucation & Training', true)).toBe('education');
    expect(headingKey('Experiance', true)).toBe('work');
    expect(headingKey('Banana', true)).toBeUndefined();
  });
});

describe('columns', () => {
  it('does not let the main column\'s top (name, title) run on in the sidebar\'s last section', () => {
    const side = (text: string, extra: Partial<ExtractedLine> = {}) => flow(text, { column: 1, ...extra });
    const main = (text: string, extra: Partial<ExtractedLine> = {}) => flow(text, { column: 2, ...extra });
    const sections = splitSections([
      side('Contact', { kind: 'heading' }),
      side('jane@example.com'),
      side('Certifications', { kind: 'heading' }),
      side('AWS Certified Developer (2021)'),
      side('CKA (2022)'),
      side('Scrum Master (2020)'),
      main('Jane Q Doe', { bold: true }),
      main('Staff Engineer'),
      main('Experience', { kind: 'heading' }),
    ]);
    expect(sections.map((s) => [s.key, s.lines.length])).toEqual([
      ['header', 0],
      ['contact', 1],
      ['certificates', 3],
      ['header', 2],
      ['work', 0],
    ]);
  });
});
