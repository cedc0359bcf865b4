import { isLocation } from './location.util';

const LEGAL = /^(inc|ltd|llc|llp|gmbh|ag|sa|s\.a|sl|s\.l|ab|plc|bv|b\.v|aps|pty|pty ltd|co|corp|limited|sas|srl|oy|as|a\/s|kg|nv|n\.v)\.?$/i;
const TITLE_WORDS = /\b(engineer|developer|manager|analyst|scientist|designer|architect|consultant|specialist|assistant|intern|internship|trainee|lead|head|director|officer|accountant|nurse|administrator|coordinator|associate|executive|representative|technician|programmer|researcher|editor|writer|teacher|lecturer|professor|founder|co-founder|owner|partner|advisor|adviser|controller|auditor|clerk|agent|supervisor|president|vp|cto|ceo|cfo|coo|principal|staff|senior|junior|sr|jr|chief|fellow|student|volunteer|tutor|instructor|recruiter|marketer|strategist|producer|operator|physician|doctor|therapist|pharmacist|paralegal|lawyer|attorney|counsel|buyer|planner|estimator|surveyor|machinist|mechanic|electrician|chef|cook|bookkeeper|cashier|secretary|receptionist|healthcare|caregiver|midwife|paramedic|product owner|scrum master|devops|sre|data|software|full-stack|frontend|backend)\b/i;
const ORG_WORDS = /\b(inc|ltd|llc|gmbh|ab|plc|b\.v|aps|s\.l|pty|corp|company|group|labs?|systems|technologies|solutions|software|analytics|hospital|clinic|health|bank|capital|partners|holdings|consulting|studio|university|college|school|institute|foundation|agency|ventures|industries|manufacturing|aerospace|robotics|financial|media|networks)\b/i;

/** "Acme Corp." / "Fennwick & Hale S.L." / "Tidewell Health plc": ends in a legal form. */
export function endsWithLegalForm(s: string): boolean {
  const last = s.trim().split(/[\s,]+/).pop() ?? '';
  return LEGAL.test(last);
}

export function isTitleLike(s: string): boolean {
  return TITLE_WORDS.test(s) && !ORG_WORDS.test(s.replace(/\b(software|data|health|financial)\b/gi, ''));
}
export function isOrgLike(s: string): boolean {
  return ORG_WORDS.test(s);
}

/** Splits header text into atoms at " at ", dashes, pipes and commas, keeping "Acme, Inc." whole. */
export function splitPieces(text: string): { atoms: string[]; location?: string } {
  let location: string | undefined;
  let t = text.replace(/\(([^()]*)\)/g, (m, inner: string) => {
    if (!location && (isLocation(inner) || /^(remote|hybrid)$/i.test(inner.trim()))) {
      location = inner.trim();
      return ' ';
    }
    return m;
  });
  t = t.replace(/^[\s|·•,–—-]+|[\s|·•,–—-]+$/g, '');
  const coarse = t.split(/\s+(?:at|@)\s+|\s+[–—|·•-]\s+|\s*\|\s*|\s+·\s*/).map((s) => s.trim()).filter(Boolean);
  const atoms: string[] = [];
  for (const c of coarse) {
    if (isLocation(c) && c.split(',').length <= 2 && !isOrgLike(c)) {
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
      if (isLocation(tail)) {
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
