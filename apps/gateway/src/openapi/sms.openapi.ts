import { z } from 'zod';
import { ErrorCode, SmsConfigBody, SmsConversationView, TicketReplyBody } from '@jobdesk/contracts';

type Json = Record<string, unknown>;
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const response = (name: string) => ({ $ref: `#/components/responses/${name}` });
const common = { '401': response('Unauthorized'), '403': response('Forbidden'), '429': response('RateLimited'), '503': response('Unavailable') };
const tenantParam = { $ref: '#/components/parameters/ActAsTenant' };
const problem = (status: number, code: string, detail: string) => ({
  'application/problem+json': { schema: ref('Problem'), example: { type: `https://jobdesk.dev/problems/${code.replace(/_/g, '-')}`, status, code, detail } },
});

const iso = z.string().meta({ format: 'date-time' });
/** The conversation view as zod, checked against `SmsConversationView`. */
const ConversationSchema = z.object({
  phone: z.string(),
  opted_out: z.boolean().describe('The number texted STOP: nothing is sent to it until START'),
  messages: z.array(
    z.object({
      job_id: z.string(),
      type: z.string(),
      direction: z.enum(['in', 'out']),
      body: z.string(),
      status: z.string().describe("The job's status: a reply that could not be sent shows as failed"),
      action: z.string().nullable().describe('Which rule handled an inbound message'),
      at: iso,
    }),
  ),
  confirmations: z.array(z.object({ id: z.string(), question: z.string(), status: z.enum(['open', 'confirmed', 'declined', 'expired']), expires_at: iso, answered_at: iso.nullable() })),
  tickets: z.array(z.object({ id: z.string(), status: z.enum(['open', 'answered']), created_at: iso, answered_at: iso.nullable() })),
  rsvps: z.array(z.object({ event_id: z.string(), attending: z.boolean(), head_count: z.number().int(), updated_at: iso })),
  coupons: z.array(z.object({ campaign: z.string(), code: z.string(), issued_at: iso, expires_at: iso })),
  feedback: z.array(z.object({ rating: z.number().int().nullable(), comment: z.string(), at: iso })),
});
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _conversationMatches: Same<z.infer<typeof ConversationSchema>, SmsConversationView> = true;
void _conversationMatches;

const EXAMPLE_RULES = {
  rules: [
    { action: 'escalate', words: ['emergency', 'fire', 'gas leak'], oncall: { webhook: 'https://example.com/hooks/oncall', email: 'oncall@example.com', sms: '+14155550100' } },
    { action: 'confirm' },
    { action: 'coupon', keyword: 'SAVE10', campaign: 'spring-10', supply: 500, valid_days: 14 },
    { action: 'track', url: 'https://shop.example.com/api/orders/{order}', status_field: 'status' },
    { action: 'feedback' },
    { action: 'rsvp', event: { id: 'gala-2026', name: 'the spring gala', closes_at: '2026-05-01T18:00:00Z' } },
    { action: 'support' },
  ],
  help_text: 'Tea & Co: reply STOP to unsubscribe. Questions? Just text us.',
};

/** The inbound SMS webhook and the conversation API, for buildOpenApiDocument. */
export function smsOpenApi(schemaOf: (s: z.ZodType, io?: 'input' | 'output') => Json): { paths: Json; schemas: Json } {
  return {
    paths: {
      '/v1/inbound/sms/{tenant}': {
        post: {
          operationId: 'receiveInboundSms',
          tags: ['sms'],
          summary: "Twilio's inbound-message webhook",
          description:
            "Set as the messaging webhook (HTTP POST) of the tenant's Twilio number. No API key: the `X-Twilio-Signature` is checked with the tenant's auth token over `PUBLIC_BASE_URL` + this path and the form fields. The text becomes an `sms.inbound` job (one per `MessageSid`; Twilio's retries make no second one) and the answer is empty TwiML at once; replies follow as `sms.send` jobs.",
          security: [],
          parameters: [
            { name: 'tenant', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'X-Twilio-Signature', in: 'header', required: true, schema: { type: 'string' } },
          ],
          requestBody: {
            required: true,
            content: {
              'application/x-www-form-urlencoded': {
                schema: {
                  type: 'object',
                  required: ['MessageSid', 'From', 'To'],
                  properties: { MessageSid: { type: 'string' }, AccountSid: { type: 'string' }, From: { type: 'string' }, To: { type: 'string' }, Body: { type: 'string' }, NumMedia: { type: 'string' } },
                  additionalProperties: { type: 'string' },
                },
                example: { MessageSid: 'SM0123456789abcdef0123456789abcdef', AccountSid: 'AC0123456789abcdef0123456789abcdef', From: '+14155550123', To: '+14155550100', Body: 'where is my order 12345', NumMedia: '0' },
              },
            },
          },
          responses: {
            '200': { description: 'Taken (or already taken): empty TwiML', content: { 'text/xml': { schema: { type: 'string' }, example: '<?xml version="1.0" encoding="UTF-8"?><Response/>' } } },
            '403': { description: `Missing or wrong signature, or a tenant without SMS rules. Codes: \`${ErrorCode.Forbidden}\``, content: problem(403, ErrorCode.Forbidden, 'the request is not signed for this tenant (X-Twilio-Signature)'), 'x-problem-codes': [ErrorCode.Forbidden] },
            '400': response('BadRequest'),
            '415': response('Unsupported'),
            '422': response('Unprocessable'),
            '503': response('Unavailable'),
          },
        },
      },
      '/v1/sms/config': {
        get: {
          operationId: 'getSmsConfig',
          tags: ['sms'],
          summary: "The tenant's rules for inbound texts",
          parameters: [tenantParam],
          responses: { '200': { description: 'The rules (never the auth token)', content: { 'application/json': { schema: ref('SmsConfigView') } } }, ...common },
        },
        put: {
          operationId: 'putSmsConfig',
          tags: ['sms'],
          summary: "Replace the tenant's rules for inbound texts",
          description:
            'Rules are tried in order after STOP / START / HELP (always honoured); the first that reads a text handles it: `escalate` (emergency words → on-call webhook, email, SMS), `confirm` (YES / NO to the latest open `sms.confirm-request`), `coupon` (a keyword → one code per phone, limited supply), `track` (an order number → your endpoint → its status), `feedback` (a 1-5 rating and comment), `rsvp` (attendance and head count), `support` (anything: a ticket you answer with `POST /v1/sms/tickets/{id}/reply`). `auth_token` (write-only) is the Twilio auth token inbound requests are signed with; `SMS_AUTH_TOKEN` otherwise.',
          parameters: [tenantParam],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: ref('SmsConfig'),
                examples: {
                  'all-rules': { summary: 'Every kind of rule', value: EXAMPLE_RULES },
                  'support-only': { summary: 'Every text opens a ticket', value: { rules: [{ action: 'support', text: 'Thanks! We will text you back shortly.' }] } },
                },
              },
            },
          },
          responses: { '200': { description: 'The rules as stored', content: { 'application/json': { schema: ref('SmsConfigView') } } }, '415': response('Unsupported'), '422': response('Unprocessable'), ...common },
        },
      },
      '/v1/sms/conversations/{id}': {
        get: {
          operationId: 'getSmsConversation',
          tags: ['sms'],
          summary: 'Everything exchanged with one phone number',
          description: 'Texts in and out (each a job, with its status and the rule that handled it), confirmations, tickets, RSVPs, coupons, feedback, and whether the number opted out.',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^\\+[1-9]\\d{7,14}$' }, description: 'The phone number in E.164, e.g. +14155550123' }, tenantParam],
          responses: { '200': { description: 'The conversation', content: { 'application/json': { schema: ref('SmsConversation') } } }, '404': response('NotFound'), ...common },
        },
      },
      '/v1/sms/tickets/{id}/reply': {
        post: {
          operationId: 'replySmsTicket',
          tags: ['sms'],
          summary: 'Answer a support ticket by SMS',
          description: 'Sends `body` to the number that opened the ticket, from the number it texted, as an `sms.send` job (202, the job); the ticket is then answered.',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' }, description: 'The ticket id (conversation view)' }, tenantParam],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: ref('SmsTicketReply'),
                examples: { short: { value: { body: 'We have refunded the double charge.' } }, long: { value: { body: 'Hi Ada, your parcel left our warehouse today; it should arrive Thursday.' } } },
              },
            },
          },
          responses: { '202': { description: 'The sms.send job', content: { 'application/json': { schema: ref('Job') } } }, '404': response('NotFound'), '415': response('Unsupported'), '422': response('Unprocessable'), ...common },
        },
      },
    },
    schemas: {
      SmsConfig: schemaOf(SmsConfigBody),
      SmsConfigView: {
        ...schemaOf(SmsConfigBody.omit({ auth_token: true }), 'output'),
        description: 'The rules as stored, without the auth token',
        properties: { ...(schemaOf(SmsConfigBody.omit({ auth_token: true }), 'output').properties as Json), configured: { type: 'boolean' }, auth_token_set: { type: 'boolean' }, updated_at: { type: ['string', 'null'], format: 'date-time' } },
      },
      SmsConversation: schemaOf(ConversationSchema, 'output'),
      SmsTicketReply: schemaOf(TicketReplyBody),
    },
  };
}
