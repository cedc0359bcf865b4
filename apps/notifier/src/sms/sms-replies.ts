import type { SmsConfig, SmsOutcome } from '@jobdesk/contracts';
import type { Decision } from './sms-rules';

const DEFAULT_HELP = 'Reply STOP to unsubscribe, START to subscribe again. Msg & data rates may apply.';
const DEFAULT_SUPPORT = 'Thanks for your message. Someone from our team will answer you here shortly.';

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : '');

/**
 * The answer to a handled message, or null for none: nothing after STOP (the carrier confirms
 * it), nothing for a follow-up in a ticket already open, nothing when no rule took the text.
 */
export function replyText(decision: Decision, outcome: SmsOutcome, config: SmsConfig | null): string | null {
  switch (outcome.action) {
    case 'opt_out':
    case 'none':
      return null;
    case 'opt_in':
      return 'You are subscribed again. Reply HELP for help, STOP to unsubscribe.';
    case 'help':
      return config?.help_text ?? DEFAULT_HELP;
    case 'confirm':
      if (!outcome.confirmation_id) return 'There is nothing open to confirm for this number.';
      return outcome.answer === 'yes' ? `Confirmed: ${outcome.question} Thank you!` : `Cancelled: ${outcome.question} Thanks for letting us know.`;
    case 'rsvp':
      return outcome.attending
        ? `Thanks! We have you down for ${outcome.event_name}: ${outcome.head_count} ${outcome.head_count === 1 ? 'person' : 'people'}.`
        : `Sorry you can't make it to ${outcome.event_name}. Thanks for letting us know.`;
    case 'coupon': {
      if (outcome.sold_out) return `Sorry, all ${outcome.campaign} codes have been claimed.`;
      const template = decision.kind === 'coupon' ? decision.rule.text : undefined;
      return (template ?? 'Your code: {code} (valid until {expires}, one use).').replace(/\{code\}/g, outcome.code ?? '').replace(/\{expires\}/g, day(outcome.expires_at));
    }
    case 'track':
      if (outcome.status) return `Order ${outcome.order}: ${outcome.status}`;
      return outcome.error === 'not_found' ? `We could not find order ${outcome.order}. Please check the number.` : `We could not look up order ${outcome.order} right now. Please try again later.`;
    case 'feedback':
      return 'Thanks for your feedback!';
    case 'support':
      if (!outcome.new_ticket) return null;
      return (decision.kind === 'support' ? decision.rule.text : undefined) ?? DEFAULT_SUPPORT;
    case 'escalate':
      return 'Your message has been passed to our on-call team right away. If anyone is in danger, call your local emergency number.';
  }
}
