import { ExtractedLine } from '../extract/extracted-document.types';
import { Document, HeadingLevel, Packer, Paragraph, TextRun } from 'docx';
import { makePdf } from '@jobdesk/testing';
import { parseResume } from '../parse-resume';
import { parseEducation } from './education.parser';
import { parseWork } from './work.parser';

const line = (text: string, extra: Partial<ExtractedLine> = {}): ExtractedLine => ({ text, page: 1, x: 0, y: 0, fontSize: 0, bold: false, ...extra });
const bullet = (text: string) => line(text, { kind: 'bullet' });

describe('education on one line', () => {
  it.each([
    ['Stanford University — B.S. Computer Science, 2012 – 2016', { institution: 'Stanford University', studyType: 'B.S.', area: 'Computer Science', startDate: '2012', endDate: '2016' }],
    ['Stanford University, B.S. Computer Science, 2012 – 2016', { institution: 'Stanford University', studyType: 'B.S.', area: 'Computer Science', startDate: '2012', endDate: '2016' }],
    ['MIT, B.S. Physics', { institution: 'MIT', studyType: 'B.S.', area: 'Physics' }],
    ['Ecole Polytechnique, MSc Applied Math', { institution: 'Ecole Polytechnique', studyType: 'MSc', area: 'Applied Math' }],
    ['B.S. Computer Science, Stanford University, 2016', { institution: 'Stanford University', studyType: 'B.S.', area: 'Computer Science', endDate: '2016' }],
    ['B.S. Computer Science — Stanford University — 2012 – 2016', { institution: 'Stanford University', studyType: 'B.S.', area: 'Computer Science', startDate: '2012', endDate: '2016' }],
    ['MSc Applied Math, Ecole Polytechnique', { institution: 'Ecole Polytechnique', studyType: 'MSc', area: 'Applied Math' }],
    ['Bachelor of Science in Biology, University of Leeds, 2010 – 2013', { institution: 'University of Leeds', studyType: 'Bachelor of Science', area: 'Biology', startDate: '2010', endDate: '2013' }],
    ['University of Leeds | BA History | 2010 – 2013', { institution: 'University of Leeds', studyType: 'BA', area: 'History', startDate: '2010', endDate: '2013' }],
  ])('reads %s', (text, expected) => {
    const edu = parseEducation([line(text)]);
    expect(edu).toHaveLength(1);
    expect(edu[0]).toEqual(expected);
  });

  it('reads two one-line entries in a row', () => {
    const edu = parseEducation([line('MIT, B.S. Physics, 2008 – 2012'), line('Ecole Polytechnique, MSc Applied Math, 2012 – 2014')]);
    expect(edu).toEqual([
      { institution: 'MIT', studyType: 'B.S.', area: 'Physics', startDate: '2008', endDate: '2012' },
      { institution: 'Ecole Polytechnique', studyType: 'MSc', area: 'Applied Math', startDate: '2012', endDate: '2014' },
    ]);
  });
});

describe('work header with dates on the same line', () => {
  it.each([
    ['Principal Engineer, Northwind Traders, 2017 - Present', 'Principal Engineer', 'Northwind Traders'],
    ['Principal Engineer, Northwind Traders, 2017 – Present', 'Principal Engineer', 'Northwind Traders'],
    ['Northwind Traders, Principal Engineer, 2017 - Present', 'Principal Engineer', 'Northwind Traders'],
    ['Principal Engineer | Northwind Traders | 2017 - Present', 'Principal Engineer', 'Northwind Traders'],
    ['Principal Engineer — Northwind Traders — 2017 - Present', 'Principal Engineer', 'Northwind Traders'],
  ])('reads %s followed by a highlight line', (head, position, name) => {
    for (const next of [bullet('Owned the payments platform'), line('Owned the payments platform')]) {
      const work = parseWork([line(head), next, bullet('Cut costs by a third')]);
      expect(work).toHaveLength(1);
      expect(work[0]).toMatchObject({ position, name, startDate: '2017' });
      expect(work[0].name).not.toBe('Owned the payments platform');
      expect([work[0].summary, ...(work[0].highlights ?? [])]).toContain('Owned the payments platform');
    }
  });

  it('still reads the title from the next row when the date row names only the company', () => {
    const work = parseWork([line('Northwind Traders, Seattle, WA | 2017 – Present'), line('Principal Engineer'), bullet('Owned the payments platform')]);
    expect(work[0]).toMatchObject({ position: 'Principal Engineer', name: 'Northwind Traders', highlights: ['Owned the payments platform'] });
  });
});

describe('work header with a title and more on the date row, company on the next row', () => {
  it('still takes a next row with a legal form for the company', () => {
    const work = parseWork([line('Senior Engineer, Payments, 2019 – Present'), line('Acme, Inc.'), bullet('Shipped things')]);
    expect(work[0]).toMatchObject({ name: 'Acme, Inc.', highlights: ['Shipped things'] });
  });
});

describe('one-line education and work headers through parseResume', () => {
  const LINES = [
    'Jordan Avery',
    'jordan.avery@example.com',
    '',
    'EXPERIENCE',
    'Principal Engineer, Northwind Traders, 2017 - Present',
    'Owned the payments platform',
    '',
    'EDUCATION',
    'Stanford University — B.S. Computer Science, 2012 – 2016',
    'MSc Applied Math, Ecole Polytechnique, 2016 – 2017',
  ];
  const check = (doc: Awaited<ReturnType<typeof parseResume>>) => {
    expect(doc.work[0]).toMatchObject({ position: 'Principal Engineer', name: 'Northwind Traders', startDate: '2017' });
    expect([doc.work[0].summary, ...(doc.work[0].highlights ?? [])]).toContain('Owned the payments platform');
    expect(doc.education).toEqual([
      { institution: 'Stanford University', studyType: 'B.S.', area: 'Computer Science', startDate: '2012', endDate: '2016' },
      { institution: 'Ecole Polytechnique', studyType: 'MSc', area: 'Applied Math', startDate: '2016', endDate: '2017' },
    ]);
  };

  it('reads them in plain text', async () => {
    check(await parseResume(Buffer.from(LINES.join('\n')), 'txt', { maxPages: 5 }));
  });

  it('reads them in a PDF', async () => {
    const pdf = await makePdf((page, font, bold) => {
      let y = 800;
      for (const t of LINES) {
        if (t) page.drawText(t, { x: 50, y, size: /^[A-Z]+$/.test(t) ? 13 : 10, font: /^[A-Z]+$/.test(t) || t === LINES[0] ? bold : font });
        y -= t ? 16 : 10;
      }
    });
    check(await parseResume(pdf, 'pdf', { maxPages: 5 }));
  });

  it('reads them in a DOCX, the next line as a bullet or a paragraph', async () => {
    for (const bullet of [true, false]) {
      const children = LINES.filter(Boolean).map((t) => {
        const heading = /^[A-Z]+$/.test(t);
        return new Paragraph({
          heading: heading ? HeadingLevel.HEADING_1 : undefined,
          bullet: bullet && t.startsWith('Owned') ? { level: 0 } : undefined,
          children: [new TextRun({ text: t, bold: t === LINES[0] })],
        });
      });
      const docx = Buffer.from(await Packer.toBuffer(new Document({ sections: [{ children }] })));
      check(await parseResume(docx, 'docx', { maxPages: 5 }));
    }
  });
});
