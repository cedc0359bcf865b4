const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH = String.raw`(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`;
const SEASON = String.raw`(?:spring|summer|autumn|fall|winter)`;
/** Years read anywhere. */
const YEAR = String.raw`(?:19[5-9]\d|20\d\d)`;
/**
 * Years also read where the context is clearly a date (a historian's or a genealogist's "1843 –
 * 1852", "March 1901"): see isClearDate. Alone, "1843" is as likely a count or a model number.
 */
const ANY_YEAR = String.raw`(?:1[89]\d\d|20\d\d)`;
const MM = String.raw`(?:0?[1-9]|1[0-2])`;
const single = (year: string) => String.raw`(?:${MONTH},?\s+${year}|${SEASON}\s+${year}|${year}[-/.]${MM}(?!\d)|${MM}[/.]${year}|${year})`;
const CURRENT = String.raw`(?:present|current(?:ly)?|now|today|ongoing|to date|till date|heute)`;
const SEP = String.raw`\s*(?:[-–—~]+|to|until|till|bis|through)\s*`;

const rangeRe = (year: string) => new RegExp(String.raw`(?<![\p{L}\d])(${single(year)})(?:${SEP}(${single(year)}|${CURRENT}))?(?![\p{L}\d])`, 'iu');
const sinceRe = (year: string) => new RegExp(String.raw`(?<![\p{L}\d])(?:since|from)\s+(${single(year)})(?![\p{L}\d])`, 'iu');
const RANGE_RE = rangeRe(YEAR);
const SINCE_RE = sinceRe(YEAR);
const WIDE_RANGE_RE = rangeRe(ANY_YEAR);
const WIDE_SINCE_RE = sinceRe(ANY_YEAR);
const CURRENT_ONLY_RE = new RegExp(String.raw`^${CURRENT}$`, 'i');
const OLD_YEAR_RE = /(?<!\d)(?:18\d\d|19[0-4]\d)(?!\d)/;

/** Normalises one date to "YYYY-MM" or "YYYY"; "Present" and friends give "present". */
export function normalizeDate(raw: string): string | undefined {
  return normalizeWith(raw, YEAR);
}

function normalizeWith(raw: string, YEAR: string): string | undefined {
  const s = raw.trim().replace(/\s+/g, ' ');
  if (!s) return undefined;
  if (CURRENT_ONLY_RE.test(s)) return 'present';
  let m: RegExpExecArray | null;
  if ((m = new RegExp(String.raw`^(${MONTH}),?\s+(${YEAR})$`, 'i').exec(s))) {
    return `${m[2]}-${pad(MONTHS.indexOf(m[1].slice(0, 3).toLowerCase()) + 1)}`;
  }
  if ((m = new RegExp(String.raw`^${SEASON}\s+(${YEAR})$`, 'i').exec(s))) return m[1];
  if ((m = new RegExp(String.raw`^(${YEAR})[-/.](${MM})$`).exec(s))) return `${m[1]}-${pad(+m[2])}`;
  if ((m = new RegExp(String.raw`^(${MM})[/.](${YEAR})$`).exec(s))) return `${m[2]}-${pad(+m[1])}`;
  if ((m = new RegExp(String.raw`^(${YEAR})$`).exec(s))) return m[1];
  return undefined;
}

const pad = (n: number) => String(n).padStart(2, '0');

export interface DateRange {
  startDate?: string;
  endDate?: string;
  /** the range ends in "Present" / "Now" */
  current: boolean;
  /** text without the date expression (and the brackets or separators that held it) */
  rest: string;
}

/** Finds the first date or date range in a line. */
export function findDateRange(text: string): DateRange | undefined {
  // the text searched, with the old-year matches that are not dates blanked out ("1800-2000 words"
  // is no date, and neither is its "2000")
  let searched = text;
  for (let i = 0; i < 5 && OLD_YEAR_RE.test(searched); i++) {
    const wide = WIDE_RANGE_RE.exec(searched);
    if (!wide) {
      const since = WIDE_SINCE_RE.exec(searched);
      if (since && (!OLD_YEAR_RE.test(since[1]) || /[a-z]/i.test(since[1]))) return toRange(text, null, since, ANY_YEAR);
      break;
    }
    if (isClearDate(wide, searched)) return toRange(text, wide, null, ANY_YEAR);
    if (!OLD_YEAR_RE.test(wide[0])) break;
    searched = searched.slice(0, wide.index) + ' '.repeat(wide[0].length) + searched.slice(wide.index + wide[0].length);
  }
  const m = RANGE_RE.exec(searched);
  return toRange(text, m, m ? null : SINCE_RE.exec(searched), YEAR);
}

/**
 * A match with a year before 1950 is a date only when it is plainly one: a month or season with
 * the year ("March 1843"), or a range whose ends are both dates (or "Present"), in order, and not
 * followed by a lower-case word or a unit ("1850–1900 rpm", "1800-2000 words" are amounts).
 */
function isClearDate(m: RegExpExecArray, text: string): boolean {
  if (!OLD_YEAR_RE.test(m[0])) return true;
  const named = (s: string) => new RegExp(String.raw`^(?:${MONTH}|${SEASON})`, 'i').test(s.trim());
  if (!m[2]) return named(m[1]);
  const after = text.slice(m.index + m[0].length);
  if (/^\s*(?:%|[\p{Ll}])/u.test(after)) return false;
  const a = normalizeWith(m[1], ANY_YEAR);
  const b = CURRENT_ONLY_RE.test(m[2].trim()) ? 'present' : normalizeWith(m[2], ANY_YEAR);
  if (!a || !b) return false;
  return b === 'present' || a <= b;
}

function toRange(text: string, m: RegExpExecArray | null, since: RegExpExecArray | null, year: string): DateRange | undefined {
  const hit = m ?? since;
  if (!hit) return undefined;
  const first = normalizeWith(hit[1], year);
  const second = m?.[2] ? normalizeWith(m[2], year) : undefined;
  const current = second === 'present' || !!since;
  const rest = cleanupRest(text.slice(0, hit.index) + ' ' + text.slice(hit.index + hit[0].length));
  if (second === undefined && !since) return { endDate: first, current: false, rest };
  return { startDate: first, endDate: current ? undefined : second, current, rest };
}

export function hasDate(text: string): boolean {
  if (OLD_YEAR_RE.test(text)) return findDateRange(text) !== undefined;
  return RANGE_RE.test(text) || SINCE_RE.test(text);
}

function cleanupRest(s: string): string {
  return s
    .replace(/\(\s*\)|\[\s*\]/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/^[\s,;:|•·–—-]+|[\s,;:|•·–—(-]+$/g, '')
    .trim();
}
