import { ExtractedLine } from '../extract/extracted-document.types';
import { parseEducation, splitDegree } from './education.parser';
import { parseWork } from './work.parser';

const line = (text: string, extra: Partial<ExtractedLine> = {}): ExtractedLine => ({ text, page: 1, x: 0, y: 0, fontSize: 0, bold: false, ...extra });
const sameRow = (text: string, extra: Partial<ExtractedLine> = {}) => line(text, { sameRowAsPrev: true, ...extra });
const bullet = (text: string) => line(text, { kind: 'bullet' });
const header = (w: { position?: string; name?: string; location?: string }) => ({ position: w.position, name: w.name, location: w.location });

describe('work entry headers', () => {
  it.each([
    ['Title, Company — City', 'Programmer, Babbage & Co — Cambridge'],
    ['Title, Company – City', 'Programmer, Babbage & Co – Cambridge'],
    ['Title, Company - City', 'Programmer, Babbage & Co - Cambridge'],
    ['Title at Company, City', 'Programmer at Babbage & Co, Cambridge'],
    ['Title @ Company, City', 'Programmer @ Babbage & Co, Cambridge'],
    ['Title | Company | City', 'Programmer | Babbage & Co | Cambridge'],
    ['Company — Title — City', 'Babbage & Co — Programmer — Cambridge'],
    ['Title, Company (City)', 'Programmer, Babbage & Co (Cambridge)'],
  ])('reads %s on one line above the dates', (_shape, head) => {
    const work = parseWork([line(head, { bold: true }), line('2013 – 2016'), bullet('Wrote the first program')]);
    expect(header(work[0])).toEqual({ position: 'Programmer', name: 'Babbage & Co', location: 'Cambridge' });
    expect(work[0]).toMatchObject({ startDate: '2013', endDate: '2016', highlights: ['Wrote the first program'] });
  });

  it('reads "Company — Title" with the dates on the same row', () => {
    const work = parseWork([line('Harrowgate Ltd — Junior Accountant'), sameRow('Mar 2019 – Present'), bullet('Closed the books')]);
    expect(header(work[0])).toEqual({ position: 'Junior Accountant', name: 'Harrowgate Ltd', location: undefined });
    expect(work[0]).toMatchObject({ startDate: '2019-03' });
  });

  it('takes the part after " at " for the company even without company words, and its town after the comma', () => {
    const work = parseWork([line('Support Engineer at Quillfeather, Springfield'), line('2018 – 2020'), bullet('Answered tickets')]);
    expect(header(work[0])).toEqual({ position: 'Support Engineer', name: 'Quillfeather', location: 'Springfield' });
  });

  it('takes a place-shaped last part after the title and the company for the town', () => {
    const work = parseWork([line('Field Technician | Orrin Pumps GmbH | Bad Homburg'), line('2018 – 2020'), bullet('Fixed pumps')]);
    expect(header(work[0])).toEqual({ position: 'Field Technician', name: 'Orrin Pumps GmbH', location: 'Bad Homburg' });
  });

  it('splits "Title, Company" when the company has no company words and nothing else names one', () => {
    const work = parseWork([line('Programmer, Quillfeather — Cambridge'), line('2013 – 2016'), bullet('Wrote code')]);
    expect(header(work[0])).toEqual({ position: 'Programmer', name: 'Quillfeather', location: 'Cambridge' });
  });

  it('reads "Company, City" on one row and the title on the next (dates beside the company)', () => {
    const work = parseWork([
      line('Babbage & Co, Cambridge', { bold: true }),
      sameRow('2013 – 2016'),
      line('Programmer'),
      bullet('Wrote the first program'),
      line('Analytical Engines Ltd, London', { bold: true }),
      sameRow('2016 – 2019'),
      line('Senior Programmer'),
      bullet('Wrote the second program'),
    ]);
    expect(work.map(header)).toEqual([
      { position: 'Programmer', name: 'Babbage & Co', location: 'Cambridge' },
      { position: 'Senior Programmer', name: 'Analytical Engines Ltd', location: 'London' },
    ]);
  });

  it('reads "Company, City" and the title on two rows above the dates', () => {
    const work = parseWork([line('Babbage & Co, Cambridge', { bold: true }), line('Programmer'), line('2013 – 2016'), bullet('Wrote the first program')]);
    expect(header(work[0])).toEqual({ position: 'Programmer', name: 'Babbage & Co', location: 'Cambridge' });
  });

  it('reads a bold title row with dates and the company row under it', () => {
    const work = parseWork([line('Social Media Coordinator', { bold: true }), sameRow('September 2019 - January 2023'), line('Lumen Foods, Ltd, Sydney, NSW'), bullet('Grew traffic')]);
    expect(header(work[0])).toEqual({ position: 'Social Media Coordinator', name: 'Lumen Foods, Ltd', location: 'Sydney, NSW' });
  });

  it('tells a title with a company word ("Analytics Engineer") from the company by its head word', () => {
    const work = parseWork([line('Analytics Engineer', { bold: true }), sameRow('2022 – 2025'), line('Fennwick & Hale S.L.'), bullet('Built a model')]);
    expect(header(work[0])).toEqual({ position: 'Analytics Engineer', name: 'Fennwick & Hale S.L.', location: undefined });
    const one = parseWork([line('Head of Analytics — Orchard Lane Analytics B.V.'), line('2019 – 2021'), bullet('Led a team')]);
    expect(header(one[0])).toEqual({ position: 'Head of Analytics', name: 'Orchard Lane Analytics B.V.', location: undefined });
  });

  it('keeps a title line whole when the company is on the line above', () => {
    const work = parseWork([line('Mistral Peak Hospital Inc. — Remote', { bold: true }), sameRow('2023-07 - Now'), line('Staff Nurse – Acute Medicine'), bullet('Cared for patients')]);
    expect(header(work[0])).toEqual({ position: 'Staff Nurse – Acute Medicine', name: 'Mistral Peak Hospital Inc.', location: 'Remote' });
  });

  it('does not take the part after a title\'s comma for a company when the company is named', () => {
    const work = parseWork([line('Director, Product Management', { bold: true }), sameRow('2020 – 2024'), line('Tallow Systems Inc.'), bullet('Shipped things')]);
    expect(header(work[0])).toEqual({ position: 'Director, Product Management', name: 'Tallow Systems Inc.', location: undefined });
  });

  it('does not read a phrase ending in "as" as a legal form', () => {
    const work = parseWork([line('Research Assistant — Wrenfield Labs'), line('2016 – 2017'), bullet('Worked as')]);
    expect(header(work[0])).toEqual({ position: 'Research Assistant', name: 'Wrenfield Labs', location: undefined });
  });
});

describe('degree lines', () => {
  it.each([
    ['BSc Mathematics', 'BSc', 'Mathematics'],
    ['B.Sc. in Mathematics', 'B.Sc.', 'Mathematics'],
    ['B.Sc. Mathematics', 'B.Sc.', 'Mathematics'],
    ['MSc Computer Science', 'MSc', 'Computer Science'],
    ['BSc (Hons) – Adult Nursing', 'BSc (Hons)', 'Adult Nursing'],
    ['PhD, Computational Biology', 'PhD', 'Computational Biology'],
    ['BEng Mechanical Engineering', 'BEng', 'Mechanical Engineering'],
    ['Bachelor of Arts (Economics)', 'Bachelor of Arts', 'Economics'],
    ['Bachelor of Design, Communication Design', 'Bachelor of Design', 'Communication Design'],
    ['Bachelor of Science in Computer Science', 'Bachelor of Science', 'Computer Science'],
    ['Bachelor of Engineering (Hons) in Civil Engineering', 'Bachelor of Engineering (Hons)', 'Civil Engineering'],
    ['Master of Science (Computer Science)', 'Master of Science', 'Computer Science'],
    ["Bachelor's degree in Economics", "Bachelor's degree", 'Economics'],
    ['Master of Business Administration', 'Master of Business Administration', undefined],
    ['MBA', 'MBA', undefined],
  ])('splits "%s"', (text, studyType, area) => {
    expect(splitDegree(text)).toEqual(area ? { studyType, area } : { studyType });
  });

  it('reads a degree line under the institution line', () => {
    const edu = parseEducation([line('University of London', { bold: true }), sameRow('2009 – 2012'), line('BSc Mathematics'), line('Imperial College London', { bold: true }), sameRow('2012 – 2013'), line('MSc Computer Science')]);
    expect(edu).toEqual([
      { institution: 'University of London', studyType: 'BSc', area: 'Mathematics', startDate: '2009', endDate: '2012' },
      { institution: 'Imperial College London', studyType: 'MSc', area: 'Computer Science', startDate: '2012', endDate: '2013' },
    ]);
  });

  it('reads a degree line with its year under the institution line', () => {
    const edu = parseEducation([line('University of London — London', { bold: true }), line('MSc Computer Science, 2019')]);
    expect(edu).toEqual([{ institution: 'University of London', studyType: 'MSc', area: 'Computer Science', endDate: '2019' }]);
  });

  it('reads a degree line above the institution line', () => {
    const edu = parseEducation([line('Bachelor of Arts (Economics)', { bold: true }), line('Trinity College Dublin, Dublin, Ireland'), line('2010 – 2014')]);
    expect(edu).toEqual([{ institution: 'Trinity College Dublin', studyType: 'Bachelor of Arts', area: 'Economics', startDate: '2010', endDate: '2014' }]);
    const two = parseEducation([line('B.Sc. in Mathematics'), sameRow('2009 – 2012'), line('University of London, London')]);
    expect(two).toEqual([{ institution: 'University of London', studyType: 'B.Sc.', area: 'Mathematics', startDate: '2009', endDate: '2012' }]);
  });

  it('reads a degree line without dates under the institution line', () => {
    const edu = parseEducation([line('University of London', { bold: true }), line('BSc Mathematics')]);
    expect(edu).toEqual([{ institution: 'University of London', studyType: 'BSc', area: 'Mathematics' }]);
  });
});
