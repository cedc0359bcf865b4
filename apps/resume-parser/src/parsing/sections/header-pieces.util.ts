import { isKnownPlace, isLocation, looksLikePlaceName } from './location.util';

const LEGAL = /^(inc|ltd|llc|llp|gmbh|ag|sa|s\.a|sl|s\.l|ab|plc|bv|b\.v|aps|pty|pty ltd|co|corp|limited|sas|srl|oy|as|a\/s|kg|nv|n\.v)\.?$/i;
const TITLE_WORDS = /\b(engineer|developer|manager|analyst|scientist|designer|architect|consultant|specialist|assistant|intern|internship|trainee|lead|head|director|officer|accountant|nurse|administrator|coordinator|associate|executive|representative|technician|programmer|researcher|editor|writer|teacher|lecturer|professor|founder|co-founder|owner|partner|advisor|adviser|controller|auditor|clerk|agent|supervisor|president|vp|cto|ceo|cfo|coo|principal|staff|senior|junior|sr|jr|chief|fellow|student|volunteer|tutor|instructor|recruiter|marketer|strategist|producer|operator|physician|doctor|therapist|pharmacist|paralegal|lawyer|attorney|counsel|buyer|planner|estimator|surveyor|machinist|mechanic|electrician|chef|cook|bookkeeper|cashier|secretary|receptionist|healthcare|caregiver|midwife|paramedic|barista|bartender|waiter|waitress|teller|driver|courier|pilot|nanny|photographer|translator|interpreter|journalist|reporter|librarian|curator|dentist|surgeon|carpenter|plumber|welder|product owner|scrum master|devops|sre|data|software|full-stack|frontend|backend)\b/i;
const ORG_WORDS = /\b(inc|ltd|llc|gmbh|ab|plc|b\.v|aps|s\.l|pty|corp|company|group|labs?|systems|technologies|solutions|software|analytics|hospital|clinic|health|bank|capital|partners|holdings|consulting|studio|university|college|school|institute|foundation|agency|ventures|industries|manufacturing|aerospace|robotics|financial|media|networks)\b/i;

/** "Acme Corp." / "Fennwick & Hale S.L." / "Tidewell Health plc": ends in a legal form. */
export function endsWithLegalForm(s: string): boolean {
  const last = s.trim().split(/[\s,]+/).pop() ?? '';
  return LEGAL.test(last);
}

/**
 * A company name by its legal form: "Babbage & Co", "Acme, Inc.", "Foxglove Systems GmbH". Stricter than
 * endsWithLegalForm: a name comes before the form, and two-letter forms are written as such ("AG", "Co",
 * not "as" or "sa" ending a phrase).
 */
export function hasLegalSuffix(s: string): boolean {
  const words = s.trim().split(/[\s,]+/);
  const last = words[words.length - 1] ?? '';
  if (words.length < 2 || !LEGAL.test(last) || !/^\p{Lu}/u.test(last)) return false;
  return last.replace(/\./g, '').length > 2 || /\./.test(last) || last === last.toUpperCase() || /^co$/i.test(last.replace(/\.$/, ''));
}

const TITLE_HEAD = new RegExp(
  String.raw`^(?:engineer|developer|manager|analyst|scientist|designer|architect|consultant|specialist|assistant|intern|trainee|lead|head|director|officer|` +
    String.raw`accountant|nurse|administrator|coordinator|associate|executive|representative|technician|programmer|researcher|editor|writer|teacher|` +
    String.raw`lecturer|professor|founder|co-founder|owner|partner|advisor|adviser|controller|auditor|clerk|agent|supervisor|president|vp|cto|ceo|cfo|coo|` +
    String.raw`principal|fellow|student|volunteer|tutor|instructor|recruiter|marketer|strategist|producer|operator|physician|doctor|therapist|pharmacist|` +
    String.raw`paralegal|lawyer|attorney|counsel|buyer|planner|estimator|surveyor|machinist|mechanic|electrician|chef|cook|bookkeeper|cashier|secretary|` +
    String.raw`receptionist|caregiver|midwife|paramedic|barista|bartender|waiter|waitress|teller|driver|courier|pilot|nanny|photographer|translator|interpreter|journalist|reporter|librarian|curator|dentist|surgeon|carpenter|plumber|welder|master|sre)$`,
  'i',
);

/**
 * The word a title hangs on: "Social Media Coordinator" → coordinator, "Head of Analytics" → head,
 * "Software Developer II" → developer.
 */
function titleHead(s: string): string {
  const t = s.replace(/\([^()]*\)/g, ' ').trim();
  const of = /^(.*?)\s+(?:of|for)\s+/i.exec(t);
  const words = (of ? of[1] : t).split(/\s+/).filter((w) => !/^(?:[ivx]+|\d+|jr\.?|sr\.?)$/i.test(w));
  return (words[words.length - 1] ?? '').replace(/[^\p{L}-]/gu, '');
}

/** A job title: title words, and no company words unless the title's head word is a title ("Analytics Engineer"). */
export function isTitleLike(s: string): boolean {
  if (!TITLE_WORDS.test(s) || hasLegalSuffix(s)) return false;
  return !ORG_WORDS.test(s.replace(/\b(software|data|health|financial)\b/gi, '')) || TITLE_HEAD.test(titleHead(s));
}
export function isOrgLike(s: string): boolean {
  return ORG_WORDS.test(s) || hasLegalSuffix(s);
}

/** "Cambridge", "Bad Homburg": a place on its own, and not a title, company or team. */
export function isPlaceAtom(s: string, knownOnly = false): boolean {
  if (isTitleLike(s) || isOrgLike(s) || /\b(team|department|division|unit|office|group|practice|desk|services?)\b/i.test(s)) return false;
  return knownOnly ? isKnownPlace(s) : looksLikePlaceName(s);
}

/**
 * Splits header text into atoms at " at ", dashes, pipes and commas, keeping "Acme, Inc." whole and
 * peeling places off ("Babbage & Co, Cambridge"). With `orgFirst`, the text is known to start with
 * a company (it followed " at "), so a place-shaped part after a comma is taken for its town.
 */
export function splitPieces(text: string, opts: { orgFirst?: boolean } = {}): { atoms: string[]; location?: string } {
  let location: string | undefined;
  let t = text.replace(/\(([^()]*)\)/g, (m, inner: string) => {
    if (!location && (isLocation(inner) || isPlaceAtom(inner, true) || /^(remote|hybrid)$/i.test(inner.trim()))) {
      location = inner.trim();
      return ' ';
    }
    return m;
  });
  t = t.replace(/^[\s|·•,–—-]+|[\s|·•,–—-]+$/g, '');
  const coarse = t.split(/\s+(?:at|@)\s+|\s+[–—|·•-]\s+|\s*\|\s*|\s+·\s*/).map((s) => s.trim()).filter(Boolean);
  const atoms: string[] = [];
  for (const [ci, c] of coarse.entries()) {
    if ((isLocation(c) && c.split(',').length <= 2 && !isOrgLike(c)) || isPlaceAtom(c, true)) {
      location ??= c;
      continue;
    }
    const parts = c.split(/\s*,\s*/);
    // "Fennwick Manufacturing, LLC, Chicago, IL": glue legal forms back, peel a trailing place off
    const glued: string[] = [];
    for (const p of parts) {
      if (glued.length && LEGAL.test(p)) glued[glued.length - 1] += `, ${p}`;
      else glued.push(p);
    }
    for (let k = 1; k < glued.length; k++) {
      const tail = glued.slice(k).join(', ');
      const head = glued.slice(0, k).join(', ');
      // "Babbage & Co, Cambridge", "Acme, Springfield" after " at ": the company, then its town
      const townOfOrg = k === glued.length - 1 && isPlaceAtom(tail) && (isOrgLike(head) || (!!opts.orgFirst && ci === 0 && !isTitleLike(head)));
      if (isLocation(tail) || isPlaceAtom(tail, true) || townOfOrg) {
        location ??= tail;
        glued.length = k;
        break;
      }
    }
    if (glued.length > 1 && !glued.slice(1).every((g) => isTitleLike(g) || isOrgLike(g))) atoms.push(glued.join(', '));
    else atoms.push(...glued);
  }
  return { atoms: atoms.filter((a) => a && !/^[\s|·•,–—-]*$/.test(a)), location };
}
