import type { FileFormat } from '@jobdesk/contracts';

/** Bytes to read from the start of an upload before deciding its format. */
export const SNIFF_BYTES = 8192;

/**
 * Decides a file's format from its first bytes, never from the name or the client's
 * Content-Type alone: a PNG renamed to resume.pdf is still a PNG. The name only tells
 * Markdown from plain text, which no byte pattern can.
 */
export function sniffFormat(head: Buffer, filename = ''): FileFormat {
  if (head.length === 0) return 'unknown';
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'pdf'; // %PDF-
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47])) return 'png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) {
    const text = head.toString('latin1');
    // ODF puts an uncompressed "mimetype" entry first (OASIS ODF 1.2 part 3, 3.3)
    if (text.startsWith('mimetype', 30)) {
      return text.startsWith('application/vnd.oasis.opendocument.text', 38) && !text.startsWith('application/vnd.oasis.opendocument.text-', 38) ? 'odt' : 'zip';
    }
    // A DOCX is a zip whose entries name word/…; the first entries are usually within the head.
    return text.includes('word/') || text.includes('[Content_Types].xml') ? 'docx' : 'zip';
  }
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    // OLE2 compound file: Word 97-2003 unless its directory names another application's stream
    const names = head.toString('utf16le');
    if (/Workbook|Book|PowerPoint Document|__substg1|__nameid/.test(names) && !names.includes('WordDocument')) return 'unknown';
    return 'doc';
  }
  if (head.toString('latin1', 0, 6) === '{\\rtf1' || head.toString('latin1', 0, 5) === '{\\rtf') return 'rtf';
  if (looksLikeText(head)) {
    if (looksLikeHtml(head)) return 'html';
    return /\.(md|markdown)$/i.test(filename) ? 'md' : 'txt';
  }
  return 'unknown';
}

/** MIME type for a format, for storage and downloads. */
export function mimeOf(format: FileFormat): string {
  return {
    pdf: 'application/pdf',
    docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    txt: 'text/plain; charset=utf-8',
    md: 'text/markdown; charset=utf-8',
    png: 'image/png',
    jpeg: 'image/jpeg',
    zip: 'application/zip',
    html: 'text/html; charset=utf-8',
    odt: 'application/vnd.oasis.opendocument.text',
    rtf: 'application/rtf',
    doc: 'application/msword',
    unknown: 'application/octet-stream',
  }[format];
}

/** An HTML document starts (after a BOM, blanks and comments) with a doctype or an html/head/body tag. */
function looksLikeHtml(head: Buffer): boolean {
  const t = head
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .replace(/^(\s|<!--[\s\S]*?-->|<\?xml[^>]*>)*/, '')
    .slice(0, 200)
    .toLowerCase();
  return /^<!doctype\s+html|^<(html|head|body)[\s>]/.test(t);
}

function startsWith(buf: Buffer, sig: number[]): boolean {
  return buf.length >= sig.length && sig.every((b, i) => buf[i] === b);
}

/** Text if it has no NUL bytes and few control characters (UTF-8 and Latin-1 both pass). */
function looksLikeText(head: Buffer): boolean {
  let control = 0;
  for (const b of head) {
    if (b === 0) return false;
    if (b < 0x09 || (b > 0x0d && b < 0x20)) control++;
  }
  return control / head.length < 0.01;
}
