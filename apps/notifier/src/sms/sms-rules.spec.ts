import type { SmsConfig } from '@jobdesk/contracts';
import { decide, InboundState } from './sms-rules';

const now = new Date('2026-03-01T12:00:00Z');
const open = { id: '0190a0a0-0000-7000-8000-000000000001', question: 'Tue 3pm?', expires_at: '2026-03-02T12:00:00Z' };
const state = (s: Partial<InboundState> = {}): InboundState => ({ optedOut: false, openConfirmation: null, now, ...s });
const config: SmsConfig = {
  rules: [
    { action: 'escalate', words: ['emergency', 'gas leak'], oncall: { sms: '+14155550911' } },
    { action: 'confirm' },
    { action: 'coupon', keyword: 'SAVE10', campaign: 'spring', supply: 10, valid_days: 7 },
    { action: 'track', url: 'https://shop.example.com/orders/{order}', status_field: 'status' },
    { action: 'feedback' },
    { action: 'rsvp', event: { id: 'gala', name: 'the gala', closes_at: '2026-04-01T00:00:00Z' } },
    { action: 'support' },
  ],
};

describe('decide', () => {
  it.each([
    ['STOP', state(), 'opt_out'],
    ['stop', state({ openConfirmation: open }), 'opt_out'],
    ['CANCEL', state(), 'opt_out'],
    ['CANCEL', state({ openConfirmation: open }), 'confirm'],
    ['START', state({ optedOut: true }), 'opt_in'],
    ['YES', state({ optedOut: true }), 'opt_in'],
    ['YES', state({ optedOut: true, openConfirmation: open }), 'confirm'],
    ['HELP', state(), 'help'],
    ['emergency, the shop is flooded', state({ openConfirmation: open }), 'escalate'],
    ['Yes please', state({ openConfirmation: open }), 'confirm'],
    ['SAVE10', state(), 'coupon'],
    ['where is my order 12345', state(), 'track'],
    ['4 stars', state(), 'feedback'],
    ['plus two guests', state(), 'rsvp'],
    ['yes!', state(), 'rsvp'],
    ['my bill looks wrong', state(), 'support'],
  ])('%j (%o) → %s', (text, s, kind) => {
    expect(decide(config, text, s).kind).toBe(kind);
  });

  it('tries the rules in the tenant\'s order: the first that reads the text takes it', () => {
    const feedbackFirst: SmsConfig = { rules: [{ action: 'support' }, { action: 'feedback' }] };
    expect(decide(feedbackFirst, '5 stars', state()).kind).toBe('support');
  });

  it('reads no RSVP once the event has closed', () => {
    expect(decide(config, 'me and 2 others', state({ now: new Date('2026-04-02T00:00:00Z') })).kind).toBe('support');
  });

  it('honours STOP, START and HELP for a tenant without rules, and nothing else', () => {
    expect(decide(null, 'STOP', state()).kind).toBe('opt_out');
    expect(decide(null, 'HELP', state()).kind).toBe('help');
    expect(decide({ rules: [] }, 'hello', state()).kind).toBe('none');
  });

  it('carries what it read: head count, order number, rating and comment, emergency words', () => {
    expect(decide(config, '2 adults 1 kid', state())).toMatchObject({ kind: 'rsvp', attending: true, headCount: 3 });
    expect(decide(config, 'order #A-12345', state())).toMatchObject({ kind: 'track', order: 'A-12345' });
    expect(decide(config, '3 - cold soup', state())).toMatchObject({ kind: 'feedback', rating: 3, comment: 'cold soup' });
    expect(decide(config, 'I smell a GAS LEAK', state())).toMatchObject({ kind: 'escalate', words: ['gas leak'] });
  });
});
