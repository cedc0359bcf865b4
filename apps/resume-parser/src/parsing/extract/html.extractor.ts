import { ErrorCode } from '@jobdesk/contracts';
import { Parser } from 'htmlparser2';
import { ParseError } from '../parse-error';
import { ExtractedDocument } from './extracted-document.types';
import { FlowLines, TextTooLong } from './flow-lines.util';
import { decodeText, plainTextLines } from './text.extractor';

const SKIP = new Set(['script', 'style', 'head', 'title', 'noscript', 'template', 'svg', 'math', 'iframe', 'object', 'canvas', 'select', 'button', 'input', 'textarea']);
const BLOCK = new Set([
  'p', 'div', 'section', 'article', 'header', 'footer', 'main', 'aside', 'nav', 'address', 'blockquote', 'pre', 'figure',
  'figcaption', 'ul', 'ol', 'dl', 'dt', 'dd', 'hr', 'form', 'fieldset', 'body', 'html', 'center', 'caption', 'details',
  'summary', 'legend', 'menu', 'hgroup', 'dialog', 'search', 'listing', 'plaintext', 'xmp',
]);
/**
 * Text that keeps its line breaks and runs of spaces (a plain-text resume pasted into a page):
 * read like a .txt file, not collapsed to one line like other HTML text.
 */
const PREFORMATTED = new Set(['pre', 'listing', 'plaintext', 'xmp']);
const HEADING = /^h[1-6]$/;
const BOLD_TAG = new Set(['b', 'strong', 'th']);
const VOID = new Set(['br', 'hr', 'img', 'meta', 'link', 'input', 'area', 'base', 'col', 'embed', 'source', 'track', 'wbr', 'param']);
/** class names of inline "chips" / "tags" that sit side by side with no text between them */
const CHIP_CLASS = /\b(chip|tag|badge|pill|skill|label|token|keyword)s?\b/i;

interface Frame {
  tag: string;
  bold: boolean;
  skip: boolean;
  chip: boolean;
  pre: boolean;
}

/** The text of an open `<pre>` and, char by char, whether it was bold ('b') or not ('.'). */
interface PreText {
  text: string;
  bold: string;
}

/** HTML resume (a saved web page or an HTML export) to lines, with htmlparser2. */
export function extractHtml(bytes: Buffer, maxChars = 1_000_000): ExtractedDocument {
  const { text: html, warnings } = decodeText(bytes);
  const lines = htmlToFlowLines(html, maxChars);
  return { format: 'html', lines, warnings };
}

export function htmlToFlowLines(html: string, maxChars = 1_000_000): FlowLines['lines'] {
  const out = new FlowLines(maxChars);
  const stack: Frame[] = [];
  let skipDepth = 0;
  let boldDepth = 0;
  let lastWasChip = false;
  let preDepth = 0;
  let pre: PreText | undefined;
  const preAdd = (text: string, bold: boolean) => {
    pre!.text += text;
    pre!.bold += (bold ? 'b' : '.').repeat(text.length);
    if (pre!.text.length > maxChars) throw new TextTooLong(maxChars);
  };
  const preEnd = () => {
    if (pre) out.append(preformattedLines(pre));
    pre = undefined;
  };
  const styleBold = (style: string | undefined) => !!style && /font-weight\s*:\s*(bold|[6-9]00)/i.test(style);
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        const tag = name.toLowerCase();
        const frame: Frame = { tag, bold: false, skip: false, chip: false, pre: false };
        if (skipDepth > 0 || SKIP.has(tag) || /display\s*:\s*none/i.test(attrs.style ?? '') || attrs.hidden !== undefined || attrs['aria-hidden'] === 'true' && tag !== 'span') {
          frame.skip = true;
          skipDepth++;
        } else if (PREFORMATTED.has(tag)) {
          if (preDepth === 0) {
            out.block('text');
            pre = { text: '', bold: '' };
          } else preAdd('\n', false);
          frame.pre = true;
          preDepth++;
        } else if (preDepth > 0) {
          // markup inside a <pre>: a block or a <br> still starts a new line of its text
          if (startsLine(tag)) preAdd('\n', false);
          else if (tag === 'td' || tag === 'th') preAdd(' ', false);
        } else if (HEADING.test(tag)) {
          out.block('heading');
        } else if (tag === 'li') {
          out.block('bullet');
        } else if (tag === 'tr') {
          out.rowStart();
        } else if (tag === 'td' || tag === 'th') {
          out.cellStart();
        } else if (tag === 'br') {
          out.lineBreak();
        } else if (BLOCK.has(tag) || tag === 'table') {
          out.block('text');
          lastWasChip = false;
        } else if (tag === 'a' && attrs.href && !/^(#|javascript:)/i.test(attrs.href)) {
          out.link(attrs.href.replace(/^mailto:/i, 'mailto:'));
        }
        if (!frame.skip) {
          if (BOLD_TAG.has(tag) || HEADING.test(tag) || styleBold(attrs.style)) frame.bold = true;
          if (CHIP_CLASS.test(attrs.class ?? '') && !BLOCK.has(tag) && preDepth === 0) {
            // two chips in a row: keep their texts apart
            if (lastWasChip) out.text(' · ');
            frame.chip = true;
          }
        }
        if (frame.bold) boldDepth++;
        if (!VOID.has(tag)) stack.push(frame);
        else if (frame.skip) skipDepth--;
      },
      ontext(data) {
        if (skipDepth > 0) return;
        if (preDepth > 0) return preAdd(data, boldDepth > 0);
        // outside <pre>, a line break in the source is a space: lines come from the markup
        const text = data.replace(/[\r\n\t\f]+/g, ' ');
        if (text.trim()) lastWasChip = false;
        out.text(text, boldDepth > 0);
      },
      onclosetag(name) {
        const tag = name.toLowerCase();
        if (VOID.has(tag)) return;
        // pop to the matching frame (the parser already closes implied tags in order)
        let frame: Frame | undefined;
        while (stack.length) {
          const f = stack.pop()!;
          if (f.skip) skipDepth--;
          if (f.bold) boldDepth--;
          if (f.pre) preDepth--;
          if (f.tag === tag) {
            frame = f;
            break;
          }
        }
        if (!frame || frame.skip) return;
        if (pre && preDepth === 0) return preEnd();
        if (preDepth > 0) {
          if (startsLine(tag)) preAdd('\n', false);
          return;
        }
        if (frame.chip) lastWasChip = true;
        if (HEADING.test(tag) || tag === 'li' || tag === 'td' || tag === 'th' || BLOCK.has(tag) || tag === 'table') out.block('text');
        else if (tag === 'tr') out.rowEnd();
      },
    },
    { decodeEntities: true, lowerCaseTags: true, recognizeSelfClosing: true },
  );
  try {
    parser.write(html);
    parser.end();
    preEnd(); // a <plaintext> never closes
    out.flush();
  } catch (err) {
    if (err instanceof TextTooLong) throw new ParseError(ErrorCode.InputTooLarge, err.message);
    throw err;
  }
  return out.lines;
}

/** A tag that puts its text on a line of its own (also inside a `<pre>`). */
function startsLine(tag: string): boolean {
  return tag === 'br' || tag === 'li' || tag === 'tr' || tag === 'table' || HEADING.test(tag) || BLOCK.has(tag);
}

/** A `<pre>`'s text read as a .txt file; a line is bold when most of its characters were. */
function preformattedLines(pre: PreText) {
  const { lines } = plainTextLines(pre.text);
  const rowStarts = [0];
  for (const m of pre.text.matchAll(/\r\n|\r|\n/g)) rowStarts.push(m.index + m[0].length);
  for (const line of lines) {
    const start = rowStarts[line.y - 1];
    const end = line.y < rowStarts.length ? rowStarts[line.y] : pre.text.length;
    let chars = 0;
    let boldChars = 0;
    for (let i = start; i < end; i++) {
      if (/\s/.test(pre.text[i])) continue;
      chars++;
      if (pre.bold[i] === 'b') boldChars++;
    }
    line.bold = boldChars > chars / 2;
  }
  return lines;
}
