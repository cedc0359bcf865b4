import { ErrorCode } from '@jobdesk/contracts';
import { ParseError } from '../parse-error';
import { ExtractedDocument } from './extracted-document.types';
import { FlowLines, TextTooLong } from './flow-lines.util';

/**
 * RTF reader. The npm RTF parsers drop bold, hex-escaped accents and \u fallbacks, so this is a
 * small tokenizer of its own: groups, destinations, \b, \par/\line/\tab/\cell, \'hh (code page),
 * \uN with \ucN, list-text bullets and HYPERLINK fields.
 */
const SKIP_DESTINATIONS = new Set([
  'fonttbl', 'colortbl', 'stylesheet', 'info', 'pict', 'object', 'themedata', 'colorschememapping', 'latentstyles',
  'datastore', 'xmlnstbl', 'listtable', 'listoverridetable', 'rsidtbl', 'generator', 'header', 'headerl', 'headerr',
  'headerf', 'footer', 'footerl', 'footerr', 'footerf', 'footnote', 'annotation', 'fldrslt-skip', 'filetbl', 'revtbl',
  'mmathPr', 'pgdsctbl', 'nonshppict', 'template', 'userprops', 'wgrffmtfilter', 'bkmkstart', 'bkmkend', 'xe', 'tc',
]);
const SYMBOLS: Record<string, string> = {
  emdash: '—', endash: '–', bullet: '•', lquote: '‘', rquote: '’', ldblquote: '“', rdblquote: '”', emspace: ' ', enspace: ' ', qmspace: ' ',
};

interface State {
  bold: boolean;
  skip: boolean;
  uc: number;
  /** collecting a field instruction (HYPERLINK "…") */
  fldinst: boolean;
  listText: boolean;
}

export function extractRtf(bytes: Buffer, maxChars = 1_000_000): ExtractedDocument {
  const src = bytes.toString('latin1');
  if (!src.startsWith('{\\rtf')) throw new ParseError(ErrorCode.CorruptInput, 'not an RTF file (no {\\rtf header)');
  try {
    return { format: 'rtf', lines: rtfToLines(src, maxChars), warnings: [] };
  } catch (err) {
    if (err instanceof TextTooLong) throw new ParseError(ErrorCode.InputTooLarge, err.message);
    throw err;
  }
}

export function rtfToLines(src: string, maxChars = 1_000_000): FlowLines['lines'] {
  const out = new FlowLines(maxChars);
  let codepage = 1252;
  let decoder = new TextDecoder('windows-1252');
  const stack: State[] = [];
  let st: State = { bold: false, skip: false, uc: 1, fldinst: false, listText: false };
  let bullet = false;
  let inTable = false;
  let fieldText = '';
  let pendingHex: number[] = [];
  let skipChars = 0;
  let blockOpen = false;
  const ensureBlock = () => {
    if (!blockOpen) {
      out.block(bullet ? 'bullet' : 'text');
      blockOpen = true;
    }
  };
  const flushHex = () => {
    if (!pendingHex.length) return;
    const text = decoder.decode(Uint8Array.from(pendingHex));
    pendingHex = [];
    emit(text);
  };
  const emit = (text: string) => {
    if (st.fldinst) {
      fieldText += text;
      return;
    }
    if (st.skip || st.listText) return;
    ensureBlock();
    out.text(text, st.bold);
  };
  const endParagraph = () => {
    flushHex();
    if (blockOpen) out.block('text');
    else out.block('text');
    blockOpen = false;
    bullet = false;
  };
  let i = 0;
  const n = src.length;
  let depth = 0;
  while (i < n) {
    const c = src[i];
    if (skipChars > 0 && c !== '{' && c !== '}') {
      // characters that stand in for the preceding \uN
      if (c === '\\') {
        const m = /^\\'[0-9a-f]{2}|^\\[a-z]+-?\d* ?|^\\./i.exec(src.slice(i, i + 40));
        i += m ? m[0].length : 1;
      } else if (c !== '\r' && c !== '\n') i++;
      else {
        i++;
        continue;
      }
      skipChars--;
      continue;
    }
    if (c === '{') {
      flushHex();
      stack.push(st);
      st = { ...st };
      depth++;
      if (depth > 500) throw new ParseError(ErrorCode.CorruptInput, 'RTF groups nested too deep');
      i++;
      continue;
    }
    if (c === '}') {
      flushHex();
      if (st.fldinst && !(stack[stack.length - 1]?.fldinst)) {
        const m = /HYPERLINK\s+"([^"]+)"/i.exec(fieldText);
        if (m) {
          ensureBlock();
          out.link(m[1]);
        }
        fieldText = '';
      }
      st = stack.pop() ?? st;
      depth--;
      i++;
      continue;
    }
    if (c === '\r' || c === '\n') {
      i++;
      continue;
    }
    if (c !== '\\') {
      flushHex();
      let j = i;
      while (j < n && !'\\{}\r\n'.includes(src[j])) j++;
      emit(src.slice(i, j));
      i = j;
      continue;
    }
    // control symbol or word
    const next = src[i + 1];
    if (next === "'") {
      const hex = src.slice(i + 2, i + 4);
      if (/^[0-9a-f]{2}$/i.test(hex)) pendingHex.push(parseInt(hex, 16));
      i += 4;
      continue;
    }
    flushHex();
    if (next === '\\' || next === '{' || next === '}') {
      emit(next);
      i += 2;
      continue;
    }
    if (next === '~') {
      emit(' ');
      i += 2;
      continue;
    }
    if (next === '_') {
      emit('-');
      i += 2;
      continue;
    }
    if (next === '*') {
      // an optional destination: skipped unless it is a field instruction
      const m = /^\\\*\s*\\([a-z]+)/i.exec(src.slice(i, i + 40));
      if (m?.[1] === 'fldinst') st.fldinst = true;
      else st.skip = true;
      i += 2;
      continue;
    }
    if (next === '\r' || next === '\n') {
      endParagraph();
      i += 2;
      continue;
    }
    const m = /^\\([a-z]{1,32})(-?\d{1,10})? ?/i.exec(src.slice(i, i + 48));
    if (!m) {
      i += 2;
      continue;
    }
    i += m[0].length;
    const word = m[1];
    const param = m[2] !== undefined ? Number(m[2]) : undefined;
    switch (word) {
      case 'par':
        endParagraph();
        break;
      case 'line':
        flushHex();
        if (!st.skip) out.lineBreak();
        break;
      case 'tab':
        if (!st.skip && !st.listText && !st.fldinst) {
          ensureBlock();
          out.tab();
        }
        break;
      case 'cell':
        if (!st.skip) {
          ensureBlock();
          out.tab();
        }
        break;
      case 'row':
        endParagraph();
        inTable = false;
        break;
      case 'intbl':
        inTable = true;
        break;
      case 'b':
        st.bold = param === undefined || param !== 0;
        break;
      case 'plain':
        st.bold = false;
        break;
      case 'uc':
        st.uc = param ?? 1;
        break;
      case 'u':
        if (param !== undefined) {
          emit(String.fromCharCode(param < 0 ? param + 65536 : param));
          skipChars = st.uc;
        }
        break;
      case 'ansicpg':
        if (param && param !== codepage) {
          try {
            decoder = new TextDecoder(`windows-${param}`);
            codepage = param;
          } catch {
            /* unknown code page: keep 1252 */
          }
        }
        break;
      case 'bin':
        i += Math.max(0, param ?? 0);
        break;
      case 'pntext':
      case 'listtext':
        st.listText = true;
        bullet = true;
        break;
      case 'pn':
        st.skip = true;
        break;
      case 'fldinst':
        st.fldinst = true;
        break;
      default:
        if (SKIP_DESTINATIONS.has(word)) st.skip = true;
        else if (SYMBOLS[word]) emit(SYMBOLS[word]);
    }
  }
  flushHex();
  out.flush();
  void inTable;
  return out.lines;
}
