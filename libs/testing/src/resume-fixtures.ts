import { Document, HeadingLevel, Packer, Paragraph, TextRun } from 'docx';
import { PDFDocument, PDFFont, PDFPage, StandardFonts } from 'pdf-lib';

/**
 * One fictional resume (Jane Q Doe) in every format the parser reads, built in code so tests
 * need no files from outside the repository.
 */
export const JANE = { name: 'Jane Q Doe', email: 'jane.doe@example.com' };

export const JANE_TXT = `Jane Q Doe
Senior Software Engineer
jane.doe@example.com | +1 (617) 555-0142 | Boston, MA
linkedin.com/in/jane-doe-42 | github.com/janedoe

SUMMARY
-------
Engineer with 10 years of experience.

EXPERIENCE
----------
Staff Engineer at Acme Corp (Boston, MA)    Jan 2020 – Present
  * Led the payments platform rewrite
  * Cut p95 latency by 40%

Software Engineer at Globex Inc (New York, NY)    2016-03 to 2019-12
  * Built the billing service

EDUCATION
---------
Massachusetts Institute of Technology — 2015
Bachelor of Science in Computer Science. GPA 3.9/4.0

SKILLS
------
Languages: TypeScript, Go, Python
Cloud: AWS, Kubernetes

LANGUAGES
---------
English – Native, Spanish – Fluent
`;

export const JANE_MD = [
  '# Jane Q Doe',
  '**Senior Software Engineer**',
  'Email: jane.doe@example.com · Phone: +1 617 555 0142 · [GitHub](https://github.com/janedoe)',
  '## Experience',
  '### Staff Engineer — Acme Corp',
  '*Jan 2020 – Present* · Boston, MA',
  '- Led the payments platform rewrite',
  '### Software Engineer — Globex Inc',
  '*2016-03 to 2019-12*',
  '- Built the billing service',
  '## Education',
  '### Massachusetts Institute of Technology',
  'Bachelor of Science, Computer Science · 2015',
  '## Skills',
  '- TypeScript',
  '- Go',
].join('\n');

export async function makePdf(draw: (page: PDFPage, font: PDFFont, bold: PDFFont) => void, pages = 1): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  for (let i = 0; i < pages; i++) draw(pdf.addPage([595, 842]), font, bold);
  return Buffer.from(await pdf.save());
}

export async function janeDocx(): Promise<Buffer> {
    const p = (text: string, opts: { bold?: boolean; bullet?: boolean; heading?: boolean } = {}) =>
      new Paragraph({
        heading: opts.heading ? HeadingLevel.HEADING_1 : undefined,
        bullet: opts.bullet ? { level: 0 } : undefined,
        children: text.split('\t').flatMap((t, i) => [...(i ? [new TextRun({ text: '\t' })] : []), new TextRun({ text: t, bold: opts.bold && i === 0 })]),
      });
    const docx = new Document({
      sections: [
        {
          children: [
            p('Jane Q Doe', { bold: true }),
            p('Senior Software Engineer'),
            p('jane.doe@example.com • +1 617 555 0142 • Boston, MA'),
            p('Work Experience', { heading: true }),
            p('Staff Engineer – Acme Corp\tJan 2020 – Present', { bold: true }),
            p('Led the payments platform rewrite', { bullet: true }),
            p('Software Engineer – Globex Inc\t03/2016 - 12/2019', { bold: true }),
            p('Built the billing service', { bullet: true }),
            p('Education', { heading: true }),
            p('Massachusetts Institute of Technology\t2015', { bold: true }),
            p('Bachelor of Science in Computer Science'),
            p('Technical Skills', { heading: true }),
            p('TypeScript, Go, Python'),
          ],
        },
      ],
    });
  return Buffer.from(await Packer.toBuffer(docx));
}

/** Two columns: main column on the right, a contact/skills sidebar on the left. */
export async function janeTwoColumnPdf(): Promise<Buffer> {
  return makePdf((page, font, bold) => {
      let y = 790;
      const main = (text: string, f = font, size = 10, x = 200) => {
        page.drawText(text, { x, y, size, font: f });
        y -= size + 6;
      };
      main('Jane Q Doe', bold, 24);
      main('Senior Software Engineer', font, 12);
      y -= 10;
      main('EXPERIENCE', bold, 12);
      main('Staff Engineer at Acme Corp (Boston, MA)');
      page.drawText('Jan 2020 – Present', { x: 480, y: y + 16, size: 9, font });
      main('• Led the payments platform rewrite');
      main('• Cut p95 latency by 40%');
      main('Software Engineer at Globex Inc (New York, NY)');
      page.drawText('03/2016 - 12/2019', { x: 480, y: y + 16, size: 9, font });
      main('• Built the billing service');
      main('EDUCATION', bold, 12);
      main('Massachusetts Institute of Technology', bold);
      page.drawText('2015', { x: 520, y: y + 16, size: 9, font });
      main('Bachelor of Science in Computer Science');
      y = 700;
      const side = (text: string, f = font, size = 9) => main(text, f, size, 30);
      side('CONTACT', bold, 11);
      side('jane.doe@example.com');
      side('+1 617 555 0142');
      side('Boston, MA');
      side('SKILLS', bold, 11);
      side('Languages: TypeScript, Go');
      side('Cloud: AWS, Kubernetes');
      side('LANGUAGES', bold, 11);
      side('English: Native');
      side('German: Basic');
    });
}
