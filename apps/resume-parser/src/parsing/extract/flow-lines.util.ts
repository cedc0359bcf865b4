import { ExtractedLine, LineKind } from './extracted-document.types';
import { BULLET_GLYPH } from './html-lines.util';

interface Part {
  text: string;
  bold: boolean;
}

/**
 * Collects the text of a flow document (HTML, ODT, RTF) block by block and turns each block into
 * lines the way the DOCX path does: a tab splits a paragraph into cells on one row (tab-stop
 * dates), the first cell of a table row starts a row and the other cells share it.
 */
export class FlowLines {
  readonly lines: ExtractedLine[] = [];
  private parts: Part[] = [];
  private kind: LineKind = 'text';
  private url: string | undefined;
  private rowOpen = false;
  private rowHasLine = false;
  private chars = 0;

  constructor(private readonly maxChars = 1_000_000) {}

  /** Starts a new block (ends the current one). */
  block(kind: LineKind = 'text'): void {
    this.flush();
    this.kind = kind;
  }

  text(text: string, bold = false): void {
    if (!text) return;
    this.chars += text.length;
    if (this.chars > this.maxChars) throw new TextTooLong(this.maxChars);
    this.parts.push({ text, bold });
  }

  tab(): void {
    this.parts.push({ text: '\t', bold: false });
  }

  /** A line break inside a block: the text before it becomes its own line. */
  lineBreak(): void {
    const kind = this.kind;
    this.flush();
    this.kind = kind === 'heading' ? 'heading' : 'text';
  }

  /** Lines made elsewhere (a `<pre>` read as plain text): they end the current block and stand alone. */
  append(lines: ExtractedLine[]): void {
    this.flush();
    for (const line of lines) {
      this.chars += line.text.length;
      if (this.chars > this.maxChars) throw new TextTooLong(this.maxChars);
      this.lines.push(line);
    }
  }

  link(href: string): void {
    this.url ??= href;
  }

  rowStart(): void {
    this.flush();
    this.rowOpen = true;
    this.rowHasLine = false;
  }

  rowEnd(): void {
    this.flush();
    this.rowOpen = false;
  }

  /** Current block kind, so a walker can tell a list item from a paragraph. */
  get currentKind(): LineKind {
    return this.kind;
  }

  flush(): void {
    const parts = this.parts;
    const blockKind = this.kind;
    const url = this.url;
    this.parts = [];
    this.kind = 'text';
    this.url = undefined;
    if (!parts.length) return;
    const raw = parts.map((p) => p.text).join('');
    const visible = parts.filter((p) => p.text.trim());
    const chars = visible.reduce((n, p) => n + p.text.trim().length, 0);
    const boldChars = visible.filter((p) => p.bold).reduce((n, p) => n + p.text.trim().length, 0);
    const boldText = parts.filter((p) => p.bold).map((p) => p.text).join('').replace(/\s+/g, ' ').trim();
    const cells = raw
      .split(/\t+/)
      .map((c) => c.replace(/\s+/g, ' ').trim())
      .filter(Boolean);
    let kind = blockKind;
    if (cells.length > 1 && BULLET_GLYPH.test(cells[0])) {
      cells.shift();
      kind = 'bullet';
    }
    cells.forEach((text, i) => {
      const sameRow = i > 0 || (this.rowOpen && this.rowHasLine && i === 0 && this.isFirstBlockOfCell);
      this.lines.push({
        text,
        page: 1,
        x: 0,
        y: 0,
        fontSize: 0,
        bold: i === 0 ? boldChars > chars / 2 || (boldChars > 0 && boldText === text) : false,
        kind: i > 0 ? 'text' : kind,
        ...(sameRow ? { sameRowAsPrev: true } : {}),
        ...(url && i === 0 ? { url } : {}),
      });
    });
    if (cells.length) {
      this.rowHasLine = true;
      this.isFirstBlockOfCell = false;
    }
  }

  private isFirstBlockOfCell = false;

  /** A new table cell: its first line shares the row with the cells before it. */
  cellStart(): void {
    this.flush();
    this.isFirstBlockOfCell = true;
  }
}

export class TextTooLong extends Error {
  constructor(readonly limit: number) {
    super(`the document has more than ${limit} characters of text`);
  }
}
