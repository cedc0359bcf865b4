import { sniffFormat } from './sniff-format';

describe('sniffFormat', () => {
  const cases: Array<[string, Buffer, string, string]> = [
    ['pdf', Buffer.from('%PDF-1.7\n%âãÏÓ\n'), 'cv.pdf', 'pdf'],
    ['png named .pdf', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'cv.pdf', 'png'],
    ['jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), 'a.jpg', 'jpeg'],
    ['docx', Buffer.concat([Buffer.from([0x50, 0x4b, 3, 4]), Buffer.from('....[Content_Types].xml....word/document.xml')]), 'a.docx', 'docx'],
    ['plain zip', Buffer.concat([Buffer.from([0x50, 0x4b, 3, 4]), Buffer.from('....photos/one.jpg')]), 'a.docx', 'zip'],
    ['text', Buffer.from('Jane Doe\njane@example.com\n'), 'cv.txt', 'txt'],
    ['utf-8 text', Buffer.from('Zoë Müller — Köln\n'), 'cv', 'txt'],
    ['markdown by name', Buffer.from('# Jane Doe\n'), 'cv.md', 'md'],
    ['html', Buffer.from('\uFEFF  <!-- saved -->\n<!DOCTYPE html><html><body>Jane</body></html>'), 'cv.pdf', 'html'],
    ['html without doctype', Buffer.from('<html lang="en"><head></head></html>'), 'cv.txt', 'html'],
    ['text mentioning html', Buffer.from('Built <html> templates\n'), 'cv.txt', 'txt'],
    ['rtf', Buffer.from('{\\rtf1\\ansi\\deff0 Jane}'), 'cv.doc', 'rtf'],
    ['odt', Buffer.concat([Buffer.from([0x50, 0x4b, 3, 4]), Buffer.alloc(26), Buffer.from('mimetypeapplication/vnd.oasis.opendocument.text')]), 'cv.odt', 'odt'],
    ['ods is not odt', Buffer.concat([Buffer.from([0x50, 0x4b, 3, 4]), Buffer.alloc(26), Buffer.from('mimetypeapplication/vnd.oasis.opendocument.spreadsheet')]), 'cv.odt', 'zip'],
    ['doc (OLE2)', Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(600), Buffer.from('WordDocument', 'utf16le')]), 'cv.doc', 'doc'],
    ['xls (OLE2) is not doc', Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(600), Buffer.from('Workbook', 'utf16le')]), 'cv.doc', 'unknown'],
    ['binary junk', Buffer.from([0, 1, 2, 3, 4, 5, 0, 0]), 'cv.txt', 'unknown'],
    ['empty', Buffer.alloc(0), 'cv.txt', 'unknown'],
  ];
  it.each(cases)('%s', (_name, head, filename, expected) => {
    expect(sniffFormat(head, filename)).toBe(expected);
  });
});
