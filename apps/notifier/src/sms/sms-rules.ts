import type { OpenConfirmation, SmsConfig, SmsRuleOf } from '@jobdesk/contracts';
import { firstWord, keyword, matchedWords, parseOrderNumber, parseRating, parseRsvp, parseYesNo } from './sms-text.parser';

export interface InboundState {
  optedOut: boolean;
  openConfirmation: OpenConfirmation | null;
  now: Date;
}

/** Which rule takes a message, and what it read from it. */
export type Decision =
  | { kind: 'opt_out' }
  | { kind: 'opt_in' }
  | { kind: 'help' }
  | { kind: 'confirm'; answer: 'yes' | 'no' }
  | { kind: 'rsvp'; rule: SmsRuleOf<'rsvp'>; attending: boolean; headCount: number }
  | { kind: 'coupon'; rule: SmsRuleOf<'coupon'> }
  | { kind: 'track'; rule: SmsRuleOf<'track'>; order: string }
  | { kind: 'feedback'; rating: number; comment: string }
  | { kind: 'escalate'; rule: SmsRuleOf<'escalate'>; words: string[] }
  | { kind: 'support'; rule: SmsRuleOf<'support'> }
  | { kind: 'none' };

/**
 * The rules engine: the carrier keywords first (STOP, START, HELP — always honoured), then the
 * tenant's rules in their order; the first that reads the message takes it. CANCEL and YES
 * answer an open confirmation when there is one, else they are the carrier keywords.
 */
export function decide(config: SmsConfig | null, text: string, state: InboundState): Decision {
  const rules = config?.rules ?? [];
  const answersConfirmation = !!state.openConfirmation && rules.some((r) => r.action === 'confirm');
  const k = keyword(text);
  if (k === 'stop' || (k === 'cancel' && !answersConfirmation)) return { kind: 'opt_out' };
  if (k === 'start' || (k === 'yes' && state.optedOut && !answersConfirmation)) return { kind: 'opt_in' };
  if (k === 'help') return { kind: 'help' };
  for (const rule of rules) {
    const d = match(rule, text, state);
    if (d) return d;
  }
  return { kind: 'none' };
}

function match(rule: SmsConfig['rules'][number], text: string, state: InboundState): Decision | null {
  switch (rule.action) {
    case 'confirm': {
      const answer = state.openConfirmation ? parseYesNo(text) : null;
      return answer ? { kind: 'confirm', answer } : null;
    }
    case 'rsvp': {
      if (rule.event.closes_at && Date.parse(rule.event.closes_at) <= state.now.getTime()) return null;
      const r = parseRsvp(text);
      return r ? { kind: 'rsvp', rule, ...r } : null;
    }
    case 'coupon':
      return firstWord(text) === rule.keyword.toLowerCase() ? { kind: 'coupon', rule } : null;
    case 'track': {
      const order = parseOrderNumber(text);
      return order ? { kind: 'track', rule, order } : null;
    }
    case 'feedback': {
      const r = parseRating(text);
      return r ? { kind: 'feedback', ...r } : null;
    }
    case 'escalate': {
      const words = matchedWords(text, rule.words);
      return words.length ? { kind: 'escalate', rule, words } : null;
    }
    case 'support':
      return { kind: 'support', rule };
  }
}
