import { z } from 'zod';
import { PhoneNumber } from './job-types';
import { WebhookUrl } from './notify';

/**
 * Conversations by text (issue #9): the tenant's rules, the state the `sms.inbound` handler
 * reads and changes through job-tracker, and the API views. Subjects are kept apart from
 * `subjects()` so the two grow independently.
 */
export function smsSubjects(prefix = 'jobdesk') {
  return {
    /**
     * gateway → tracker: a Twilio request; if it is signed with the tenant's auth token it
     * becomes the `sms.inbound` job (the only way one is made: the create subject refuses it).
     */
    receiveInbound: `${prefix}.tracker.sms.receive`,
    getConfig: `${prefix}.tracker.sms.config.get`,
    putConfig: `${prefix}.tracker.sms.config.put`,
    /** handler → tracker: what the rules need to know about a phone number. */
    context: `${prefix}.tracker.sms.context`,
    /** handler → tracker: apply one inbound message's command, once per job. */
    apply: `${prefix}.tracker.sms.apply`,
    openConfirmation: `${prefix}.tracker.sms.confirm.open`,
    optedOut: `${prefix}.tracker.sms.opted-out`,
    conversation: `${prefix}.tracker.sms.conversation`,
    replyTicket: `${prefix}.tracker.sms.ticket.reply`,
  };
}
export type SmsSubjects = ReturnType<typeof smsSubjects>;

// ---- the rules, configured per tenant as JSON -----------------------------------------------

const HttpUrl = z.url({ protocol: /^https?$/ }).max(2048);
const Template = z.string().min(1).max(480);

export const ConfirmRule = z.object({ action: z.literal('confirm') }).strict();
export const RsvpRule = z
  .object({
    action: z.literal('rsvp'),
    event: z.object({ id: z.string().min(1).max(64), name: z.string().min(1).max(200), closes_at: z.string().datetime({ offset: true }).optional() }).strict(),
  })
  .strict();
export const CouponRule = z
  .object({
    action: z.literal('coupon'),
    keyword: z.string().regex(/^[A-Za-z0-9]{2,20}$/, '2-20 letters or digits'),
    campaign: z.string().min(1).max(64),
    /** How many codes exist in all. */
    supply: z.number().int().min(1).max(1_000_000),
    valid_days: z.number().int().min(1).max(366).default(30),
    /** The reply; `{code}` and `{expires}` are filled in. */
    text: Template.optional(),
  })
  .strict();
export const TrackRule = z
  .object({
    action: z.literal('track'),
    /** The tenant's order endpoint; `{order}` is replaced by the order number. It answers JSON. */
    url: HttpUrl.refine((u) => u.includes('{order}') || u.includes('%7Border%7D'), 'must contain {order}'),
    /** The JSON field holding the status. */
    status_field: z.string().min(1).max(64).default('status'),
  })
  .strict();
export const FeedbackRule = z.object({ action: z.literal('feedback') }).strict();
export const OnCall = z
  .object({ webhook: WebhookUrl.optional(), email: z.string().email().max(320).optional(), sms: PhoneNumber.optional() })
  .strict()
  .refine((o) => !!(o.webhook || o.email || o.sms), 'name at least one on-call channel: webhook, email or sms');
export const EscalateRule = z
  .object({
    action: z.literal('escalate'),
    words: z.array(z.string().trim().min(2).max(40)).min(1).max(50),
    oncall: OnCall,
  })
  .strict();
export const SupportRule = z.object({ action: z.literal('support'), text: Template.optional() }).strict();

/** One rule; the first that matches a message handles it (STOP / START / HELP come before all). */
export const SmsRule = z.discriminatedUnion('action', [ConfirmRule, RsvpRule, CouponRule, TrackRule, FeedbackRule, EscalateRule, SupportRule]);
export type SmsRule = z.infer<typeof SmsRule>;
export type SmsRuleOf<A extends SmsRule['action']> = Extract<SmsRule, { action: A }>;

/** `PUT /v1/sms/config`. */
export const SmsConfigBody = z.object({
  rules: z.array(SmsRule).max(20),
  /** The answer to HELP. */
  help_text: Template.optional(),
  /** The Twilio auth token inbound requests are signed with; SMS_AUTH_TOKEN when absent. Write-only. */
  auth_token: z.string().min(8).max(128).optional(),
});
export type SmsConfigBody = z.input<typeof SmsConfigBody>;
/** The rules as stored and as handlers read them (never the auth token). */
export type SmsConfig = Omit<z.output<typeof SmsConfigBody>, 'auth_token'>;

export interface SmsConfigView extends SmsConfig {
  configured: boolean;
  auth_token_set: boolean;
  updated_at: string | null;
}

// ---- RPC requests ------------------------------------------------------------------------

const Tenant = z.string().min(1).max(128);

/** Limits of Twilio's inbound form: field count, name and value length (the gateway names the field at fault). */
export const INBOUND_FORM_LIMITS = { fields: 200, nameChars: 256, valueChars: 4096 } as const;

export const ReceiveInboundRequest = z.object({
  /** The job's id, chosen by the gateway so it can look the job up when the reply is lost. */
  id: z.string().uuid(),
  tenant: Tenant,
  /** The public URL Twilio posted to (PUBLIC_BASE_URL + path and query). */
  url: z.string().max(4096),
  /** The form fields in the order received. */
  params: z
    .array(z.tuple([z.string().max(INBOUND_FORM_LIMITS.nameChars), z.string().max(INBOUND_FORM_LIMITS.valueChars)]))
    .max(INBOUND_FORM_LIMITS.fields),
  signature: z.string().max(200),
  /** Epoch ms after which the gateway has given up (answered 503): the tracker must not commit. */
  deadline: z.number().int().positive().nullable().default(null),
});
export type ReceiveInboundRequest = z.input<typeof ReceiveInboundRequest>;

export const SmsConfigRequest = z.object({ tenant: Tenant });
export const PutSmsConfigRequest = z.object({ tenant: Tenant, config: SmsConfigBody });
export type PutSmsConfigRequest = z.input<typeof PutSmsConfigRequest>;

export const SmsPhoneRequest = z.object({ tenant: Tenant, phone: PhoneNumber });
export type SmsPhoneRequest = z.infer<typeof SmsPhoneRequest>;

export interface OpenConfirmation {
  id: string;
  question: string;
  expires_at: string;
}

/** What the rules need to decide about one message. */
export interface SmsContext {
  config: SmsConfig | null;
  optedOut: boolean;
  openConfirmation: OpenConfirmation | null;
}

/** What an inbound message asks job-tracker to do; applied once per `sms.inbound` job. */
export const SmsCommand = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('opt_out') }),
  z.object({ kind: z.literal('opt_in') }),
  z.object({ kind: z.literal('help') }),
  z.object({ kind: z.literal('confirm'), answer: z.enum(['yes', 'no']) }),
  z.object({ kind: z.literal('rsvp'), eventId: z.string().max(64), eventName: z.string().max(200), attending: z.boolean(), headCount: z.number().int().min(0).max(1000) }),
  z.object({ kind: z.literal('coupon'), campaign: z.string().max(64), keyword: z.string().max(20), supply: z.number().int().min(1), validDays: z.number().int().min(1) }),
  z.object({ kind: z.literal('track'), order: z.string().max(64), status: z.string().max(200).nullable(), error: z.string().max(300).nullable() }),
  z.object({ kind: z.literal('feedback'), rating: z.number().int().min(1).max(5).nullable(), comment: z.string().max(1600) }),
  z.object({ kind: z.literal('support') }),
  z.object({ kind: z.literal('escalate'), words: z.array(z.string().max(40)).max(50) }),
  z.object({ kind: z.literal('none') }),
]);
export type SmsCommand = z.infer<typeof SmsCommand>;

export const ApplySmsRequest = z.object({ tenant: Tenant, jobId: z.string().uuid(), phone: PhoneNumber, command: SmsCommand });
export type ApplySmsRequest = z.infer<typeof ApplySmsRequest>;

/** What applying did, stored with the message and returned again on a re-run. */
export type SmsOutcome =
  | { action: 'opt_out' | 'opt_in' | 'help' | 'none' }
  | { action: 'confirm'; answer: 'yes' | 'no'; confirmation_id: string | null; question: string | null }
  | { action: 'rsvp'; event_id: string; event_name: string; attending: boolean; head_count: number }
  | { action: 'coupon'; campaign: string; code: string | null; expires_at: string | null; sold_out: boolean; repeat: boolean }
  | { action: 'track'; order: string; status: string | null; error: string | null }
  | { action: 'feedback'; rating: number | null; comment: string }
  | { action: 'support'; ticket_id: string; new_ticket: boolean }
  | { action: 'escalate'; words: string[] };

export const OpenConfirmationRequest = z.object({
  tenant: Tenant,
  /** The `sms.confirm-request` job: the confirmation's id. */
  jobId: z.string().uuid(),
  phone: PhoneNumber,
  question: z.string().min(1).max(1000),
  expiresAt: z.string().datetime(),
});
export type OpenConfirmationRequest = z.infer<typeof OpenConfirmationRequest>;

export const TicketReplyBody = z.object({ body: z.string().trim().min(1).max(1600) });
export const TicketReplyRequest = z.object({ tenant: Tenant, ticketId: z.string(), body: z.string().min(1).max(1600) });
export type TicketReplyRequest = z.infer<typeof TicketReplyRequest>;

// ---- the conversation view (`GET /v1/sms/conversations/{phone}`) -----------------------------

export interface SmsMessageView {
  job_id: string;
  type: string;
  direction: 'in' | 'out';
  body: string;
  status: string;
  /** For inbound messages once handled: which rule took it. */
  action: string | null;
  at: string;
}

export interface SmsConversationView {
  phone: string;
  opted_out: boolean;
  messages: SmsMessageView[];
  confirmations: Array<{ id: string; question: string; status: 'open' | 'confirmed' | 'declined' | 'expired'; expires_at: string; answered_at: string | null }>;
  tickets: Array<{ id: string; status: 'open' | 'answered'; created_at: string; answered_at: string | null }>;
  rsvps: Array<{ event_id: string; attending: boolean; head_count: number; updated_at: string }>;
  coupons: Array<{ campaign: string; code: string; issued_at: string; expires_at: string }>;
  feedback: Array<{ rating: number | null; comment: string; at: string }>;
}

/** The webhook body sent to a tenant's on-call receiver when a text is escalated. */
export interface SmsEscalationPayload {
  type: 'sms.escalated';
  timestamp: string;
  data: { job_id: string; from: string; to: string; body: string; words: string[] };
}
