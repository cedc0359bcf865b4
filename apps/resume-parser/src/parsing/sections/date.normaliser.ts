const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH = String.raw`(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`;
const SEASON = String.raw`(?:spring|summer|autumn|fall|winter)`;
const YEAR = String.raw`(?:19[5-9]\d|20\d\d)`;
const MM = String.raw`(?:0?[1-9]|1[0-2])`;
const SINGLE = String.raw`(?:${MONTH},?\s+${YEAR}|${SEASON}\s+${YEAR}|${YEAR}[-/.]${MM}(?!\d)|${MM}[/.]${YEAR}|${YEAR})`;
const CURRENT = String.raw`(?:present|current(?:ly)?|now|today|ongoing|to date|till date|heute)`;
const SEP = String.raw`\s*(?:[-–—~]+|to|until|till|bis|through)\s*`;

const RANGE_RE = new RegExp(String.raw`(?<![\p{L}\d])(${SINGLE})(?:${SEP}(${SINGLE}|${CURRENT}))?(?![\p{L}\d])`, 'iu');
const SINCE_RE = new RegExp(String.raw`(?<![\p{L}\d])(?:since|from)\s+(${SINGLE})(?![\p{L}\d])`, 'iu');
const CURRENT_ONLY_RE = new RegExp(String.raw`^${CURRENT}$`, 'i');

/** Normalises one date to "YYYY-MM" or "YYYY"; "Present" and friends give "present". */
export function normalizeDate(raw: string): string | undefined {
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
  const m = RANGE_RE.exec(text);
  const since = m ? undefined : SINCE_RE.exec(text);
  const hit = m ?? since;
  if (!hit) return undefined;
  const first = normalizeDate(hit[1]);
  const second = m?.[2] ? normalizeDate(m[2]) : undefined;
  const current = second === 'present' || !!since;
  const rest = cleanupRest(text.slice(0, hit.index) + ' ' + text.slice(hit.index + hit[0].length));
  if (second === undefined && !since) return { endDate: first, current: false, rest };
  return { startDate: first, endDate: current ? undefined : second, current, rest };
}

export function hasDate(text: string): boolean {
  return RANGE_RE.test(text) || SINCE_RE.test(text);
}

function cleanupRest(s: string): string {
  return s
    .replace(/\(\s*\)|\[\s*\]/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/^[\s,;:|•·–—-]+|[\s,;:|•·–—(-]+$/g, '')
    .trim();
}
