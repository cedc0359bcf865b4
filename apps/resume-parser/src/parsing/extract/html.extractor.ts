import { ErrorCode } from '@jobdesk/contracts';
import { Parser } from 'htmlparser2';
import { ParseError } from '../parse-error';
import { ExtractedDocument } from './extracted-document.types';
import { FlowLines, TextTooLong } from './flow-lines.util';
import { decodeText } from './text.extractor';

const SKIP = new Set(['script', 'style', 'head', 'title', 'noscript', 'template', 'svg', 'math', 'iframe', 'object', 'canvas', 'select', 'button', 'input', 'textarea']);
const BLOCK = new Set([
  'p', 'div', 'section', 'article', 'header', 'footer', 'main', 'aside', 'nav', 'address', 'blockquote', 'pre', 'figure',
  'figcaption', 'ul', 'ol', 'dl', 'dt', 'dd', 'hr', 'form', 'fieldset', 'body', 'html', 'center',
]);
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
  const styleBold = (style: string | undefined) => !!style && /font-weight\s*:\s*(bold|[6-9]00)/i.test(style);
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        const tag = name.toLowerCase();
        const frame: Frame = { tag, bold: false, skip: false, chip: false };
        if (skipDepth > 0 || SKIP.has(tag) || /display\s*:\s*none/i.test(attrs.style ?? '') || attrs.hidden !== undefined || attrs['aria-hidden'] === 'true' && tag !== 'span') {
          frame.skip = true;
          skipDepth++;
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
          if (CHIP_CLASS.test(attrs.class ?? '') && !BLOCK.has(tag)) {
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
          if (f.tag === tag) {
            frame = f;
            break;
          }
        }
        if (!frame || frame.skip) return;
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
    out.flush();
  } catch (err) {
    if (err instanceof TextTooLong) throw new ParseError(ErrorCode.InputTooLarge, err.message);
    throw err;
  }
  return out.lines;
}
