import { ExtractedLine } from '../extract/extracted-document.types';

const BULLET_RE = /^\s*([•◦▪▫■□●○➤➢►▶▸✓✔✗☐⁃∙·*‣–-]|\uF0B7|\uF0A7|\uF0D8|\uF076)\s*(.*)$/u;

export function stripBullet(text: string): { text: string; bullet: boolean } {
  const m = BULLET_RE.exec(text);
  // "- " needs the space, "–2019" or "-5%" is not a bullet
  if (m && m[2] && (/[^-–*]/.test(m[1]) || /^\s*[-–*]\s/.test(text))) return { text: m[2].trim(), bullet: true };
  return { text: text.trim(), bullet: false };
}

export interface Item {
  text: string;
  bullet: boolean;
  first: ExtractedLine;
  lines: ExtractedLine[];
}

/**
 * Joins wrapped lines back into items (bullets, paragraphs). A line continues the current item
 * when it is indented past the item's bullet, starts in lower case, or follows a trailing comma.
 */
export function toItems(lines: ExtractedLine[]): Item[] {
  const items: Item[] = [];
  for (const line of lines) {
    const cur = items[items.length - 1];
    const { text, bullet } = stripBullet(line.text);
    const explicitBullet = line.kind === 'bullet' || bullet;
    if (cur && !line.sameRowAsPrev && isContinuation(cur, line, text, explicitBullet)) {
      cur.text = joinWrapped(cur.text, text);
      cur.lines.push(line);
      continue;
    }
    items.push({ text, bullet: explicitBullet, first: line, lines: [line] });
  }
  return items;
}

function isContinuation(cur: Item, line: ExtractedLine, text: string, bullet: boolean): boolean {
  if (line.kind === 'heading' || (bullet && !/^[-–]\s/.test(line.text))) return false;
  const last = cur.lines[cur.lines.length - 1];
  if (line.column !== last.column || line.page !== last.page) {
    return /^\p{Ll}/u.test(text) && !bullet;
  }
  // flow formats (docx) never wrap a paragraph over two lines
  if (isDocx(line)) return false;
  const indentedUnderBullet = cur.bullet && line.x > cur.first.x + (line.fontSize === 0 ? 0 : 2);
  if (indentedUnderBullet && !bullet) return true;
  if (bullet) return false;
  if (/^[\p{Ll}(&]/u.test(text) || /[,&]$|\b(and|or|of|the|in|to|with|for|a)$/i.test(cur.text)) return true;
  if (/-$/.test(cur.text) && !/\s-$/.test(cur.text)) return true;
  return false;
}

const isDocx = (line: ExtractedLine) => line.x === 0 && line.y === 0 && line.fontSize === 0;

export function joinWrapped(a: string, b: string): string {
  if (/[/-]$/.test(a) && /^\S*[\p{Ll}\d]/u.test(b) && !/\s-$/.test(a)) return a + b;
  return `${a} ${b}`.replace(/\s+/g, ' ');
}
