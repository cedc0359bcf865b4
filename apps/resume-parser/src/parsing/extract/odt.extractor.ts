import { ErrorCode } from '@jobdesk/contracts';
import { Parser } from 'htmlparser2';
import { ParseError } from '../parse-error';
import { ExtractedDocument, ExtractOptions } from './extracted-document.types';
import { FlowLines, TextTooLong } from './flow-lines.util';
import { DEFAULT_ZIP_LIMITS, readZipEntries, ZipLimits } from './zip.util';

export const ODT_MIME = 'application/vnd.oasis.opendocument.text';

interface StyleInfo {
  bold?: boolean;
  parent?: string;
  heading?: boolean;
}

/** OpenDocument text: content.xml (and styles.xml for named styles) read with htmlparser2 in XML mode. */
export function extractOdt(bytes: Buffer, _opts: ExtractOptions, limits: ZipLimits = DEFAULT_ZIP_LIMITS, maxChars = 1_000_000): ExtractedDocument {
  const files = readZipEntries(bytes, 'ODT', (n) => n === 'mimetype' || n === 'content.xml' || n === 'styles.xml' || n === 'META-INF/manifest.xml', limits);
  const manifest = files.get('META-INF/manifest.xml')?.toString('utf8') ?? '';
  if (/<manifest:encryption-data/.test(manifest)) throw new ParseError(ErrorCode.EncryptedInput, 'the ODT is password-protected');
  const mimetype = files.get('mimetype')?.toString('latin1').trim();
  if (mimetype && mimetype !== ODT_MIME) throw new ParseError(ErrorCode.CorruptInput, `not an OpenDocument text (${mimetype})`);
  const content = files.get('content.xml');
  if (!content) throw new ParseError(ErrorCode.CorruptInput, 'unreadable ODT: no content.xml');
  const styles = new Map<string, StyleInfo>();
  const styleXml = files.get('styles.xml');
  if (styleXml) collectStyles(styleXml.toString('utf8'), styles);
  const xml = content.toString('utf8');
  collectStyles(xml, styles);
  try {
    return { format: 'odt', lines: walkContent(xml, styles, maxChars), warnings: [] };
  } catch (err) {
    if (err instanceof TextTooLong) throw new ParseError(ErrorCode.InputTooLarge, err.message);
    throw err;
  }
}

function collectStyles(xml: string, styles: Map<string, StyleInfo>): void {
  let current: StyleInfo | undefined;
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === 'style:style') {
          current = { parent: attrs['style:parent-style-name'], heading: /^heading/i.test(attrs['style:name'] ?? '') || attrs['style:default-outline-level'] !== undefined };
          styles.set(attrs['style:name'], current);
        } else if (name === 'style:text-properties' && current) {
          const w = attrs['fo:font-weight'];
          if (w) current.bold = /bold|[6-9]00/.test(w);
        }
      },
      onclosetag(name) {
        if (name === 'style:style') current = undefined;
      },
    },
    { xmlMode: true },
  );
  parser.write(xml);
  parser.end();
}

function isBold(styles: Map<string, StyleInfo>, name: string | undefined): boolean | undefined {
  for (let i = 0, n = name; n && i < 10; i++) {
    const s = styles.get(n);
    if (!s) return undefined;
    if (s.bold !== undefined) return s.bold;
    n = s.parent;
  }
  return undefined;
}

function walkContent(xml: string, styles: Map<string, StyleInfo>, maxChars: number) {
  const out = new FlowLines(maxChars);
  const boldStack: boolean[] = [];
  let inBody = false;
  let skip = 0;
  let listDepth = 0;
  const bold = () => boldStack.some(Boolean);
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === 'office:body') inBody = true;
        if (!inBody) return;
        if (skip || name === 'text:note' || name === 'office:annotation' || name === 'text:tracked-changes') {
          skip++;
          return;
        }
        const styleName = attrs['text:style-name'];
        if (name === 'text:h' || name === 'text:p') {
          const style = styles.get(styleName ?? '');
          const heading = name === 'text:h' || !!style?.heading;
          out.block(heading ? 'heading' : listDepth > 0 ? 'bullet' : 'text');
          boldStack.push(isBold(styles, styleName) ?? heading);
        } else if (name === 'text:span') boldStack.push(isBold(styles, styleName) ?? bold());
        else if (name === 'text:list') listDepth++;
        else if (name === 'text:tab') out.tab();
        else if (name === 'text:line-break') out.lineBreak();
        else if (name === 'text:s') out.text(' '.repeat(Math.min(20, Number(attrs['text:c'] ?? 1) || 1)));
        else if (name === 'text:a' && attrs['xlink:href']) out.link(attrs['xlink:href']);
        else if (name === 'table:table-row') out.rowStart();
        else if (name === 'table:table-cell') out.cellStart();
      },
      ontext(data) {
        if (!inBody || skip) return;
        out.text(data.replace(/[\r\n\t]+/g, ' '), bold());
      },
      onclosetag(name) {
        if (!inBody) return;
        if (skip) {
          skip--;
          return;
        }
        if (name === 'text:h' || name === 'text:p') {
          boldStack.pop();
          out.block('text');
        } else if (name === 'text:span') boldStack.pop();
        else if (name === 'text:list') listDepth--;
        else if (name === 'table:table-row') out.rowEnd();
        else if (name === 'office:body') inBody = false;
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.write(xml);
  parser.end();
  out.flush();
  return out.lines;
}
