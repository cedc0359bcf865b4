import type { ResumeBasics, ResumeProfile } from '@jobdesk/contracts';
import { ExtractedLine } from '../extract/extracted-document.types';
import { bodyFontSize, headingKey } from './heading.util';
import { isKnownPlace, parseLocation, ParsedLocation } from './location.util';
import { joinWrapped, stripBullet } from './line-items.util';

const EMAIL_RE = /[\p{L}\d._%+-]+@[\p{L}\d.-]+\.[\p{L}]{2,}/u;
const PHONE_RE = /(?:\+|\(\+?)?\d[\d\s().\-/]{6,}\d/g;
const PROFILE_RE = /(?:https?:\/\/)?(?:www\.)?(linkedin\.com\/in|github\.com|gitlab\.com|twitter\.com|x\.com|stackoverflow\.com\/users|behance\.net|dribbble\.com|medium\.com)\/([\w\-.%@/]+)/gi;
const URL_RE = /(?:https?:\/\/)?(?:www\.)?(?:[a-z0-9-]+\.)+(?:com|org|net|io|dev|me|app|co|uk|de|fr|es|info|site|tech|page|xyz)(?:\/[^\s,;|•·)]*)?/gi;
const NETWORKS: Record<string, [string, string]> = {
  'linkedin.com/in': ['LinkedIn', 'https://www.linkedin.com/in/'],
  'github.com': ['GitHub', 'https://github.com/'],
  'gitlab.com': ['GitLab', 'https://gitlab.com/'],
  'twitter.com': ['Twitter', 'https://twitter.com/'],
  'x.com': ['X', 'https://x.com/'],
  'stackoverflow.com/users': ['Stack Overflow', 'https://stackoverflow.com/users/'],
  'behance.net': ['Behance', 'https://www.behance.net/'],
  'dribbble.com': ['Dribbble', 'https://dribbble.com/'],
  'medium.com': ['Medium', 'https://medium.com/'],
};

export interface BasicsInput {
  all: ExtractedLine[];
  header: ExtractedLine[];
  contact: ExtractedLine[];
  summary: ExtractedLine[];
}

export function parseBasics(input: BasicsInput): ResumeBasics {
  const basics: ResumeBasics = {};
  const contactLines = [...input.header, ...input.contact];
  // URLs wrapped at a hyphen ("linkedin.com/in/jane-" + "doe-12") are glued back first
  const contactText = glueWrappedUrls(contactLines.map((l) => l.text)).join('\n');
  const allText = glueWrappedUrls(input.all.map((l) => l.text)).join('\n');
  const linkTargets = (ls: ExtractedLine[]) => ls.flatMap((l) => [l.url, ...(l.links ?? [])]).filter((u): u is string => !!u);
  // a link's target is the address itself; its text may be cut short or wrapped
  const contactLinks = linkTargets(contactLines);
  const allLinks = linkTargets(input.all);

  const { name, nameIndex } = findName(input);
  if (name) basics.name = name;
  const label = findLabel(input.all, nameIndex);
  if (label) basics.label = label;

  const email = EMAIL_RE.exec(contactText) ?? EMAIL_RE.exec(allText);
  if (email) basics.email = email[0].replace(/^mailto:/i, '');

  const phone = findPhone(contactText) ?? findPhone(allText.split('\n').slice(0, 40).join('\n'));
  if (phone) basics.phone = phone;

  const profiles: ResumeProfile[] = [];
  const seen = new Set<string>();
  const linked = profilesIn(allLinks.join('\n'));
  for (const source of [contactLinks.join('\n'), contactText, allText, allLinks.join('\n')]) {
    for (const found of profilesIn(source)) {
      // text "linkedin.com/in/jane-d" (a wrapped or clipped line) under a link to ".../jane-doe-4f21a"
      const p = linked.find((l) => l.network === found.network && l.username.length > found.username.length && squash(l.username).startsWith(squash(found.username))) ?? found;
      const key = `${p.network}:${p.username.toLowerCase()}`;
      if (seen.has(key) || seen.has(p.network)) continue;
      seen.add(key);
      seen.add(p.network);
      profiles.push(p);
    }
  }
  if (profiles.length) basics.profiles = profiles;

  const website = findWebsite(contactText, basics.email);
  if (website) basics.url = website;

  const location = findLocation(contactLines, name);
  if (location) basics.location = location;

  const summary = input.summary
    .map((l) => stripBullet(l.text).text)
    .reduce((acc, t) => (acc ? joinWrapped(acc, t) : t), '');
  if (summary) basics.summary = summary;
  return basics;
}

type Profile = Required<Pick<ResumeProfile, 'network' | 'username' | 'url'>>;

function profilesIn(text: string): Profile[] {
  const out: Profile[] = [];
  for (const m of text.matchAll(PROFILE_RE)) {
    const host = m[1].toLowerCase();
    const username = m[2].replace(/[/.]+$/, '').split('/')[0];
    const [network, base] = NETWORKS[host] ?? [host, `https://${host}/`];
    if (username) out.push({ network, username, url: base + username });
  }
  return out;
}

function squash(s: string): string {
  return s.toLowerCase().replace(/[-_.%]/g, '');
}

function glueWrappedUrls(texts: string[]): string[] {
  const out: string[] = [];
  for (const t of texts) {
    const prev = out[out.length - 1];
    const urlWrap = prev !== undefined && (/\/[\w.-]*-$/.test(prev) && /^[\w-]+(\s|$)/.test(t) || isUrlTail(prev, t));
    // narrow sidebars break long e-mail addresses anywhere ("name@example.or" + "g")
    const emailWrap = prev !== undefined && /@[\w.-]+$/.test(prev) && /^[a-z]{1,4}$/.test(t);
    if (urlWrap || emailWrap) out[out.length - 1] = prev + t;
    else out.push(t);
  }
  return out;
}

/**
 * A narrow column breaks an address anywhere, hyphen or not: "https://www.linkedin.com/in/jane-do"
 * + "e-4f21a" or "…/in/jane-doe" + "-4f21a". The rest must look like a slug's tail (a lone token
 * with a letter and a hyphen or a digit), so a word ("python") or a year range on the next
 * line is not glued on.
 */
function isUrlTail(prev: string, t: string): boolean {
  if (!/(?:^|\s)\S*\w\.[a-z]{2,}\/\S*[\w%]$/i.test(prev)) return false;
  return /[a-z]/i.test(t) && (/^-[\w%-]+$/.test(t) || (/^[a-z0-9_%-]+$/.test(t) && /[\d-]/.test(t)));
}

const NAME_WORD = /^[\p{Lu}][\p{L}'’.\-]*$/u;

function looksLikeName(text: string): boolean {
  const t = text.trim();
  if (!t || t.length > 50 || /[\d@/:|•,]/.test(t) || headingKey(t)) return false;
  // CJK names are written without spaces
  if (/^[\p{Script=Han}\p{Script=Hangul}\p{Script=Hiragana}\p{Script=Katakana}]{2,6}$/u.test(t)) return true;
  const words = t.split(/\s+/);
  return words.length >= 2 && words.length <= 5 && words.every((w) => NAME_WORD.test(w) || /^(van|von|de|da|del|der|den|di|la|le|bin|al)$/i.test(w));
}

function findName(input: BasicsInput): { name?: string; nameIndex: number } {
  const lines = input.all;
  const firstPage = lines.filter((l) => l.page === 1);
  const withSize = firstPage.some((l) => l.fontSize > 0);
  if (withSize) {
    const body = bodyFontSize(firstPage);
    const candidates = firstPage.filter((l) => looksLikeName(l.text) && l.fontSize >= body + 2);
    candidates.sort((a, b) => b.fontSize - a.fontSize || b.y - a.y);
    if (candidates[0]) return { name: tidyName(candidates[0].text), nameIndex: lines.indexOf(candidates[0]) };
  }
  const head = lines.slice(0, 60);
  const pick =
    head.find((l) => l.kind === 'heading' && looksLikeName(l.text)) ??
    head.find((l) => l.bold && looksLikeName(l.text)) ??
    head.find((l) => looksLikeName(l.text));
  if (pick) return { name: tidyName(pick.text), nameIndex: lines.indexOf(pick) };
  const first = lines.find((l) => l.text.trim() && !EMAIL_RE.test(l.text) && !headingKey(l.text));
  return first && first.text.length <= 40 ? { name: first.text.trim(), nameIndex: lines.indexOf(first) } : { nameIndex: -1 };
}

function tidyName(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  // small-caps / upper-case headers: "JOSÉ NÚÑEZ" -> "José Núñez"
  if (/\p{Ll}/u.test(t) || !/\p{Lu}.*\s/u.test(t)) return t;
  return t.toLowerCase().replace(/(^|[\s'’-])(\p{Ll})/gu, (_m, sep: string, ch: string) => sep + ch.toUpperCase());
}

function findLabel(lines: ExtractedLine[], nameIndex: number): string | undefined {
  if (nameIndex < 0) return undefined;
  const next = lines[nameIndex + 1];
  if (!next || next.sameRowAsPrev && next.y !== lines[nameIndex].y) return undefined;
  const t = next.text.trim();
  if (!t || t.length > 60 || /[@\d|•·:]/.test(t) || headingKey(t) || parseLocation(t) || /https?:|www\.|\.com/.test(t)) return undefined;
  if (t.split(/\s+/).length > 7 || /[.!]$/.test(t)) return undefined;
  return t;
}

function findPhone(text: string): string | undefined {
  for (const line of text.split('\n')) {
    for (const m of line.matchAll(PHONE_RE)) {
      const raw = m[0].trim().replace(/[\s(\-/.]+$/, '');
      const digits = raw.replace(/\D/g, '');
      if (digits.length < 8 || digits.length > 15) continue;
      // date ranges and years are not phone numbers
      if (/^(18|19|20)\d\d\s*[-–—]\s*(18|19|20)\d\d$/.test(raw) || /^\d{4}[-/.]\d{2}([-/.]\d{2})?$/.test(raw)) continue;
      const before = line.slice(Math.max(0, (m.index ?? 0) - 1), m.index ?? 0);
      if (/[\w/]/.test(before)) continue;
      return normalizePhone(raw);
    }
  }
  return undefined;
}

/** E.164 when the number carries its country code, otherwise as written. */
export function normalizePhone(raw: string): string {
  const t = raw.replace(/^\(\+/, '+').replace(/\s+/g, ' ').trim();
  if (t.startsWith('+')) {
    const digits = t.replace(/\D/g, '');
    const national = /^\+\d{1,3}\s*\(0\)/.test(t) ? digits.replace(/^(\d{1,3})0/, '$1') : digits;
    return `+${national}`;
  }
  if (t.startsWith('00') && t.replace(/\D/g, '').length >= 11) return `+${t.replace(/\D/g, '').slice(2)}`;
  return t;
}

function findWebsite(text: string, email: string | undefined): string | undefined {
  for (const m of text.matchAll(URL_RE)) {
    const u = m[0].replace(/[.,]$/, '');
    if (/linkedin\.com|github\.com|gitlab\.com|twitter\.com|x\.com\/|stackoverflow|behance|dribbble|medium\.com/i.test(u)) continue;
    const idx = m.index ?? 0;
    if (text[idx - 1] === '@' || (email && email.toLowerCase().includes(u.toLowerCase().replace(/^https?:\/\//, '')))) continue;
    return /^https?:\/\//i.test(u) ? u : `https://${u}`;
  }
  return undefined;
}

/** Separators between the pieces of a contact row: "a • b", "a | b", "a / b", "a - b", wide gaps. */
const CONTACT_SEPARATOR = /\s+[•|·◦▪/–—-]\s+|\s{2,}|\t/;

function findLocation(lines: ExtractedLine[], name: string | undefined): ResumeBasics['location'] {
  const pieces: string[] = [];
  for (const line of lines) {
    // a row may end (or start) with a separator when it wraps: "… • Manchester, United Kingdom •"
    const text = line.text.replace(/^\s*[•|·◦▪/–—-]\s+|\s+[•|·◦▪/–—-]\s*$/g, '');
    for (const part of text.split(CONTACT_SEPARATOR)) {
      const p = part.trim().replace(/^(location|address|based in|city)\s*:\s*/i, '');
      if (p && p !== name) pieces.push(p);
    }
  }
  // a piece that is a place as a whole first, then a place inside a piece
  for (const find of [parseLocation, placeInside]) {
    for (const p of pieces) {
      const loc = find(p);
      if (loc?.city) return loc;
    }
  }
  return undefined;
}

/**
 * A place among other pieces with only spaces between them ("jane@x.org 0491 570 109 Oslo, Norway
 * https://…"): the words just before a comma and just after it, when those after are a country
 * or a state code. A known city of two or three words wins ("New York, NY"); otherwise one word.
 */
function placeInside(text: string): ParsedLocation | undefined {
  for (const m of text.matchAll(/,\s+/g)) {
    const before = text.slice(0, m.index).split(/\s+/);
    const after = text.slice((m.index ?? 0) + m[0].length).split(/\s+/);
    let tail: string | undefined;
    for (let n = Math.min(3, after.length); n >= 1 && !tail; n--) {
      const cand = after.slice(0, n).join(' ').replace(/[.;]$/, '');
      if (parseLocation(`Somewhere, ${cand}`)?.countryCode) tail = cand;
    }
    if (!tail) continue;
    let found: ParsedLocation | undefined;
    for (let n = 1; n <= Math.min(3, before.length); n++) {
      const city = before.slice(-n).join(' ');
      const loc = parseLocation(`${city}, ${tail}`);
      if (!loc?.city) break;
      if (n === 1 || isKnownPlace(city)) found = loc;
    }
    if (found) return found;
  }
  return undefined;
}
