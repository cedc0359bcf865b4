import { ExtractedLine, LineKind } from './extracted-document.types';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

interface Block {
  kind: LineKind;
  parts: Array<{ text: string; bold: boolean }>;
  url?: string;
  cell: number;
}

/**
 * Walks mammoth's (flat, well-formed) HTML and turns blocks into lines. Tabs split a paragraph
 * into cells on the same row, as Word resumes use tab stops to push dates to the right margin.
 */
export function htmlToLines(html: string): ExtractedLine[] {
  const lines: ExtractedLine[] = [];
  let block: Block | undefined;
  let boldDepth = 0;
  let cell = 0;
  let tableDepth = 0;
  const flush = () => {
    if (!block) return;
    emitBlock(block, lines);
    block = undefined;
  };
  const open = (kind: LineKind) => {
    flush();
    block = { kind, parts: [], cell };
  };
  const re = /<(\/?)([a-z0-9]+)([^>]*)>|([^<]+)/gi;
  let m: RegExpExecArray | null;
  while ((m = re.exec(html))) {
    if (m[4] !== undefined) {
      const text = decodeEntities(m[4]);
      if (!block) block = { kind: 'text', parts: [], cell };
      block.parts.push({ text, bold: boldDepth > 0 });
      continue;
    }
    const closing = m[1] === '/';
    const tag = m[2].toLowerCase();
    if (/^h[1-6]$/.test(tag)) closing ? flush() : open('heading');
    else if (tag === 'p') closing ? flush() : open('text');
    else if (tag === 'li') closing ? flush() : open('bullet');
    else if (tag === 'td' || tag === 'th') {
      flush();
      if (!closing) cell++;
    } else if (tag === 'table') {
      flush();
      tableDepth += closing ? -1 : 1;
    } else if (tag === 'br') {
      const kind = block?.kind ?? 'text';
      flush();
      block = { kind: kind === 'heading' ? 'heading' : 'text', parts: [], cell };
    } else if (tag === 'strong' || tag === 'b') boldDepth = Math.max(0, boldDepth + (closing ? -1 : 1));
    else if (tag === 'a' && !closing) {
      const href = /href="([^"]*)"/i.exec(m[3]);
      if (href) {
        if (!block) block = { kind: 'text', parts: [], cell };
        block.url ??= decodeEntities(href[1]);
      }
    }
  }
  flush();
  void tableDepth;
  return lines;
}

export const BULLET_GLYPH = /^[•◦▪▫■□●○➤➢►▶▸✓✔✗☐⁃∙·*‣–\-\uF0B7\uF0A7\uF0D8\uF076\uF0FC]$/u;

function emitBlock(block: Block, out: ExtractedLine[]): void {
  const raw = block.parts.map((p) => p.text).join('');
  const visible = block.parts.filter((p) => p.text.trim());
  const boldChars = visible.filter((p) => p.bold).reduce((n, p) => n + p.text.trim().length, 0);
  const chars = visible.reduce((n, p) => n + p.text.trim().length, 0);
  const cells = raw.split(/\t+/).map((c) => c.replace(/\s+/g, ' ').trim()).filter(Boolean);
  // a typed bullet and a tab ("➢<tab>Led the team"): the bullet marks the line, it is no cell
  if (cells.length > 1 && BULLET_GLYPH.test(cells[0])) {
    cells.shift();
    block = { ...block, kind: 'bullet' };
  }
  cells.forEach((text, i) => {
    const isBold = i === 0 ? boldChars > chars / 2 || (boldChars > 0 && boldCovers(block, text)) : false;
    out.push({
      text,
      page: 1,
      x: 0,
      y: 0,
      fontSize: 0,
      bold: isBold,
      column: block.cell || undefined,
      kind: block.kind === 'text' && i > 0 ? 'text' : block.kind,
      ...(i > 0 ? { sameRowAsPrev: true } : {}),
      ...(block.url && i === 0 ? { url: block.url } : {}),
    });
  });
}

/** A tab-split first cell that is entirely bold counts as bold even if later cells are not. */
function boldCovers(block: Block, text: string): boolean {
  const boldText = block.parts.filter((p) => p.bold).map((p) => p.text).join('').replace(/\s+/g, ' ').trim();
  return boldText === text;
}
