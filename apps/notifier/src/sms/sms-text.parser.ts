/**
 * Reading what people text: yes/no answers, RSVPs with head counts, order numbers, ratings and
 * the carrier keywords. Pure functions; everything they cannot read with confidence is null,
 * so the message falls through to the next rule (in the end, a support ticket a person reads).
 */

const NUMBER_WORDS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  a: 1, an: 1, couple: 2, 'a couple': 2,
};
const NUM = `(\\d{1,3}|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a couple|couple|an|a)`;
const toNumber = (s: string): number => (/^\d+$/.test(s) ? Number(s) : NUMBER_WORDS[s] ?? NaN);

/** Lower case, straight apostrophes, single spaces. */
export function normalize(text: string): string {
  return text.toLowerCase().replace(/[\u2018\u2019\u02bc]/g, "'").replace(/\s+/g, ' ').trim();
}

/** Only letters, digits, apostrophes and single spaces: punctuation and emoji gone. */
function words(text: string): string {
  return normalize(text).replace(/[^\p{L}\p{N}\s']/gu, ' ').replace(/\s+/g, ' ').trim();
}

// ---- carrier keywords ----------------------------------------------------------------------

export type Keyword = 'stop' | 'start' | 'help' | 'cancel' | 'yes' | null;
const STOP = new Set(['stop', 'stopall', 'stop all', 'unsubscribe', 'end', 'quit', 'revoke', 'optout', 'opt out']);
const START = new Set(['start', 'unstop', 'subscribe']);
const HELP = new Set(['help', 'info']);

/** The whole message as one of the standard keywords (Twilio matches the entire body, any case). */
export function keyword(text: string): Keyword {
  const w = words(text);
  if (STOP.has(w)) return 'stop';
  if (START.has(w)) return 'start';
  if (HELP.has(w)) return 'help';
  if (w === 'cancel') return 'cancel';
  if (w === 'yes' || w === 'y') return 'yes';
  return null;
}

// ---- yes / no ------------------------------------------------------------------------------

const YES_HEAD = /^(yes|y|yeah|yea|yep|yup|ya|confirm|confirmed|ok|okay|sure|absolutely|definitely|correct|si|oui)\b/;
const NO_HEAD = /^(no|n|nope|nah|cancel|cancelled|canceled|decline|declined)\b/;
/** Words that may follow the answer without making it something else ("yes please", "no thanks"). */
const FILLER = new Set(
  `please pls plz thanks thank thx ty you so much very i confirm confirmed will be there see then sounds good great perfect works that that's it's it is
   all of course definitely absolutely and sir ma'am sorry can't cant cannot make it i'll we we'll sure fine ok okay`.split(/\s+/),
);

/** "yes!", "Yes please", "CONFIRM", "no thanks", "cancel" → the answer; anything more → null. */
export function parseYesNo(text: string): 'yes' | 'no' | null {
  const w = words(text);
  const head = YES_HEAD.exec(w) ? 'yes' : NO_HEAD.exec(w) ? 'no' : null;
  if (!head) return null;
  const rest = w.replace(head === 'yes' ? YES_HEAD : NO_HEAD, '').trim();
  return rest.split(' ').filter(Boolean).every((x) => FILLER.has(x)) ? head : null;
}

// ---- RSVP ----------------------------------------------------------------------------------

export interface Rsvp {
  attending: boolean;
  headCount: number;
}

const DECLINE = /\b(can'?t|cannot|can not|won'?t|will not|wont|unable|not (be )?(coming|going|attending|able|make it)|couldn'?t|count me out|regrets|decline|declining|miss (it|this|out))\b/;
const DECLINE_WHOLE = /^(no|nope|nah|no thanks|no thank you|sorry no)$/;
const PEOPLE = '(others?|more|guests?|friends?|people|persons?|kids?|children|adults?|family members?)';
const COMPANION = '(friend|wife|husband|partner|spouse|date|boyfriend|girlfriend|son|daughter|kid|child|mom|mum|dad|mother|father|brother|sister|plus one|plus 1|guest)';
const CATEGORY = /(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a)\s+(adults?|kids?|children|child|guests?|people|persons?|seniors?|teens?|teenagers?|toddlers?|babies|baby|infants?)\b/g;
const ACCEPT = /\b(i'?m coming|i am coming|coming|i'?ll (be there|come|attend)|will (be there|come|attend)|count me in|i'?m in|attending|i'?ll make it|see you (there|then)|rsvp yes|going|we'?ll be there|we are coming|we'?re coming|yes|yep|yeah|sure)\b/;

/**
 * "I'm coming" (1), "+2" / "+2 guests" / "plus two guests" / "me and 2 others" (3),
 * "me and my wife" (2), "2 adults 1 kid" (3), "we are 4" / "party of 4" (4),
 * "can't make it" (not coming, 0).
 */
export function parseRsvp(text: string): Rsvp | null {
  const t = normalize(text).replace(/[!?.,;:]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (DECLINE.test(t) || DECLINE_WHOLE.test(t)) return { attending: false, headCount: 0 };
  const count = (n: number): Rsvp | null => (Number.isFinite(n) && n >= 1 && n <= 200 ? { attending: true, headCount: n } : null);

  const plus = new RegExp(`(?:^|\\s|\\()(?:\\+\\s*|plus\\s+)${NUM}\\b`).exec(t);
  if (plus) return count(1 + toNumber(plus[1]));
  const withOthers = new RegExp(`\\b(?:me|myself|i'?m coming|i'?ll come|coming|bringing|with)\\s+(?:and\\s+|with\\s+)?${NUM}\\s+${PEOPLE}\\b`).exec(t);
  if (withOthers) return count(1 + toNumber(withOthers[1]));
  if (new RegExp(`\\b(?:me|myself|i)\\s+(?:and|with|\\+|&)\\s+(?:my\\s+|a\\s+)?${COMPANION}\\b`).test(t)) return count(2);
  const categories = [...t.matchAll(CATEGORY)];
  if (categories.length) return count(categories.reduce((sum, m) => sum + toNumber(m[1]), 0));
  const total = new RegExp(`\\b(?:we are|we're|we will be|we'll be|there will be|there are|party of|table for|count us|for)\\s+${NUM}\\b|\\b${NUM}\\s+(?:of us|total|in total|people)\\b`).exec(t);
  if (total) return count(toNumber(total[1] ?? total[2]));
  if (ACCEPT.test(t)) return count(/\bwe\b|\bwe'/.test(t) ? 2 : 1);
  return null;
}

// ---- order numbers -------------------------------------------------------------------------

const ORDER_TRIGGER = /\b(track|tracking|order|package|parcel|shipment|delivery|where'?s|where is)\b/i;

/** "TRACK 12345", "where is my order 12345", "order #A-12345" → the order number. */
export function parseOrderNumber(text: string): string | null {
  if (!ORDER_TRIGGER.test(text)) return null;
  for (const raw of text.split(/[\s,;:!?()]+/)) {
    const token = raw.replace(/^#/, '').replace(/[.]+$/, '');
    if (token.length >= 3 && token.length <= 32 && /\d/.test(token) && /^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$/.test(token)) return token;
  }
  return null;
}

// ---- ratings -------------------------------------------------------------------------------

export interface Rating {
  rating: number;
  comment: string;
}

const RATING = '([1-5]|one|two|three|four|five)';
const SCALE = '(?:stars?|\\*+|\\s?/\\s?5|out of (?:5|five)|of 5)';

/** "5", "4 stars", "5/5 loved it", "3 - the soup was cold", "★★★★", "I'd give it 4 stars" → rating and comment. */
export function parseRating(text: string): Rating | null {
  const trimmed = text.trim();
  const stars = /^([★⭐]{1,5})\s*(.*)$/su.exec(trimmed);
  if (stars) return { rating: [...stars[1]].length, comment: stars[2].trim() };
  // At the start: the number alone, with a scale, or followed by punctuation and a comment.
  const lead = new RegExp(`^${RATING}\\s*(?:${SCALE}\\b|(?=$|[!.,;:\\-–—]))[\\s!.,;:\\-–—]*(.*)$`, 'isu').exec(trimmed);
  if (lead) return { rating: toNumber(lead[1].toLowerCase()), comment: lead[2].trim() };
  // Anywhere, with a scale: "I'd give you 4 stars", "rating: 4".
  const inside = new RegExp(`\\b${RATING}\\s*${SCALE}|\\brating:?\\s*${RATING}\\b`, 'iu').exec(trimmed);
  if (inside) return { rating: toNumber((inside[1] ?? inside[2]).toLowerCase()), comment: trimmed };
  return null;
}

// ---- coupon keywords and emergency words ---------------------------------------------------

/** The first word, as a coupon keyword would be texted ("save10", "SAVE10 please"). */
export function firstWord(text: string): string {
  return words(text).split(' ')[0] ?? '';
}

/** Which of `words` (single words or phrases) the text contains as whole words, any case. */
export function matchedWords(text: string, list: readonly string[]): string[] {
  const t = ` ${words(text)} `;
  return list.filter((w) => {
    const phrase = words(w);
    return phrase.length > 0 && t.includes(` ${phrase} `);
  });
}
