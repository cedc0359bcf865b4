import { ErrorCode } from '@jobdesk/contracts';
import { ParseError } from '../parse-error';
import { ExtractedDocument, ExtractedLine, LineKind } from './extracted-document.types';

const MAX_LINE = 2000;

export function decodeText(bytes: Buffer): { text: string; warnings: string[] } {
  const warnings: string[] = [];
  let buf = bytes;
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
  if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff)) {
    const le = buf[0] === 0xff;
    const body = Buffer.from(buf.subarray(2));
    if (!le) body.swap16();
    return { text: body.toString('utf16le'), warnings };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    text = buf.toString('latin1');
    warnings.push('input is not valid UTF-8; decoded as Latin-1');
  }
  return { text, warnings };
}

export function extractText(bytes: Buffer, format: 'txt' | 'md'): ExtractedDocument {
  const { text, warnings } = decodeText(bytes);
  const controls = (text.match(/[\x00-\x08\x0e-\x1f\x7f]/g) ?? []).length;
  if (text.length && controls > text.length * 0.1) {
    throw new ParseError(ErrorCode.CorruptInput, 'input looks binary, not text');
  }
  const { lines, truncated } = plainTextLines(text, format);
  if (truncated) warnings.push('very long lines were truncated');
  return { format, lines, warnings };
}

/**
 * Plain text to lines, one per row: indent, bullets, underlined headings (markdown syntax too for
 * `md`). Also what the HTML extractor does with a `<pre>`, which is plain text in a web page.
 * `y` is the 1-based row number.
 */
export function plainTextLines(text: string, format: 'txt' | 'md' = 'txt'): { lines: ExtractedLine[]; truncated: boolean } {
  const lines: ExtractedLine[] = [];
  let truncated = false;
  const rows = text.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, ' ').split(/\r\n|\r|\n/);
  for (let i = 0; i < rows.length; i++) {
    let row = rows[i];
    if (row.length > MAX_LINE) {
      // a single enormous line is not resume text; keep the regexes downstream linear and cheap
      row = row.slice(0, MAX_LINE);
      truncated = true;
    }
    const line = format === 'md' ? markdownLine(row) : plainLine(row, rows[i + 1]);
    if (line === 'underline') {
      const prev = lines[lines.length - 1];
      if (prev) prev.kind = 'heading';
      continue;
    }
    if (line) lines.push({ ...line, page: 1, x: line.x, y: i + 1, fontSize: 0 });
  }
  return { lines, truncated };
}

type Partial = { text: string; kind: LineKind; bold: boolean; x: number; url?: string } | 'underline' | undefined;

function indentOf(row: string): number {
  return /^\s*/.exec(row)![0].replace(/\t/g, '    ').length;
}

function plainLine(row: string, next: string | undefined): Partial {
  if (/^\s*([-=_~*#])\1{2,}\s*$/.test(row)) return 'underline';
  const trimmed = row.trim();
  if (!trimmed) return undefined;
  const x = indentOf(row);
  const bullet = /^([*\u2022\u25aa\u25e6\u2023\u27a4\u27a2\u2713\u2714\u2013\u2014-]|\d+[.)])\s+(.*)$/u.exec(trimmed);
  if (bullet) return { text: bullet[2], kind: 'bullet', bold: false, x };
  void next;
  return { text: trimmed, kind: 'text', bold: false, x };
}

function markdownLine(row: string): Partial {
  const trimmed = row.trim();
  if (!trimmed || /^\|?\s*:?-{3,}/.test(trimmed) || /^([-*_])\s*\1\s*\1[\s\-*_]*$/.test(trimmed)) {
    return /^[=-]{3,}$/.test(trimmed) ? 'underline' : undefined;
  }
  const x = indentOf(row);
  const heading = /^(#{1,6})\s+(.*?)\s*#*$/.exec(trimmed);
  if (heading) return { ...inline(heading[2]), kind: 'heading', x, bold: true };
  const bullet = /^(?:[-*+]|\d+[.)])\s+(.*)$/.exec(trimmed);
  if (bullet) return { ...inline(bullet[1]), kind: 'bullet', x };
  if (trimmed.startsWith('|')) {
    const cells = trimmed.replace(/^\||\|$/g, '').split('|').map((c) => inline(c).text.trim());
    return { text: cells.join(': '), kind: 'text', bold: false, x };
  }
  const quote = /^>\s?(.*)$/.exec(trimmed);
  return { ...inline(quote ? quote[1] : trimmed), kind: 'text', x };
}

/** Strips inline markdown; a link keeps its text and its url ("GitHub: github.com/x (https://...)"). */
function inline(s: string): { text: string; bold: boolean; url?: string } {
  let url: string | undefined;
  const whollyBold = /^(\*\*|__)[^*_]+\1$/.test(s.trim());
  let text = s
    .replace(/!\[([^\]]*)\]\(([^)\s]*)[^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\(([^)\s]*)[^)]*\)/g, (_m, t: string, u: string) => {
      url ??= u;
      return t.includes(u.replace(/^https?:\/\/(www\.)?/, '')) || !u ? t : `${t} (${u})`;
    })
    .replace(/<(https?:\/\/[^>]+)>/g, '$1')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(^|[^\w*])[*_]([^*_]+)[*_](?=$|[^\w*])/g, '$1$2')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\\([\\`*_{}[\]()#+\-.!|])/g, '$1');
  text = text.replace(/\s+/g, ' ').trim();
  return { text, bold: whollyBold, url };
}
