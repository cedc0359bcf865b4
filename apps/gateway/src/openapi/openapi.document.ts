import { z } from 'zod';
import { smsOpenApi } from './sms.openapi';
import { CreateEndpointBody, DeliveryView, EmailSendInput, EndpointView, MAX_WEBHOOK_ENDPOINTS, SecretView, UpdateEndpointBody, WEBHOOK_EVENTS, WebhookSettingsBody, ErrorCode, JOB_SPECS, JOB_TYPES, JSON_INPUT_SCHEMAS, JobListView, JobStatus, JobView, Metadata, NotifyTargets, PUBLIC_JOB_TYPES, SubmitJobBody } from '@jobdesk/contracts';

/**
 * The OpenAPI 3.1 document of the gateway, built from the zod schemas in @jobdesk/contracts
 * (zod 4's `z.toJSONSchema`, JSON Schema 2020-12 — the dialect of OpenAPI 3.1), so the request
 * shapes the gateway validates and the ones it documents are the same objects. Served at
 * `/openapi.json`; libs/client is generated from it (`npm run gen:client`).
 */

type Json = Record<string, unknown>;

/** JSON Schema of a zod schema, without `$schema` (the document's dialect applies). */
function schemaOf(s: z.ZodType, io: 'input' | 'output' = 'input'): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  return rest;
}

const STATUSES = Object.values(JobStatus) as [JobStatus, ...JobStatus[]];
const iso = z.string().meta({ format: 'date-time' });

/** The public job as zod, checked against the `JobView` interface below. */
const JobViewSchema = z.object({
  id: z.string().meta({ format: 'uuid' }),
  type: z.enum(JOB_TYPES as [string, ...string[]]),
  status: z.enum(STATUSES),
  progress: z.number().int().min(0).max(100),
  attempts: z.number().int().min(0),
  max_attempts: z.number().int().min(1),
  created_at: iso,
  updated_at: iso,
  started_at: iso.nullable(),
  finished_at: iso.nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable().describe('Why a failed job failed (`corrupt_input`, `smtp_rejected`, `timeout`, …)'),
  result_url: z.string().nullable().describe('Set once the job is completed'),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  priority: z.number().int(),
  run_at: iso.nullable(),
  purged: z.boolean().describe('Input and result were deleted (on request or by retention)'),
  links: z.object({ self: z.string(), result: z.string(), events: z.string() }),
});
// Compile-time: the documented job is the one the gateway returns (both directions).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _jobViewMatches: Same<Omit<z.infer<typeof JobViewSchema>, 'type' | 'status'>, Omit<JobView, 'type' | 'status'>> = true;
void _jobViewMatches;
const JobListSchema = z.object({ data: z.array(JobViewSchema), next_cursor: z.string().nullable().describe('Pass back as `cursor` for the next page; null on the last') });
const _listMatches: Same<keyof z.infer<typeof JobListSchema>, keyof JobListView> = true;
void _listMatches;

const DeliverySchema = z.object({
  message_id: z.string().describe('The webhook-id; the same on every attempt and redelivery'),
  job_id: z.string().meta({ format: 'uuid' }),
  endpoint_id: z.string().meta({ format: 'uuid' }).nullable().describe("The registered endpoint; null for the job's own notify.webhook"),
  url: z.string(),
  attempt: z.number().int(),
  status_code: z.number().int().nullable(),
  latency_ms: z.number(),
  error: z.string().nullable(),
  outcome: z.string(),
  final: z.boolean(),
  at: iso,
});
const _deliveryMatches: Same<z.infer<typeof DeliverySchema>, DeliveryView> = true;
void _deliveryMatches;

const ProblemSchema = z.object({
  type: z.string().meta({ format: 'uri' }),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string().describe('Stable machine-readable code; see each response for the codes it may carry'),
  instance: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional().describe('Per-field messages of a `validation_failed`'),
});

// What may be submitted: internal types (`sms.inbound`) are still read and listed, never submitted.
/** Which webhook URLs are taken (the gateway's ReceiverCheck; the notifier checks names when it connects). */
const RECEIVER_RULE = "A URL whose host is a literal private, loopback or link-local address, or `localhost`, is refused with 422 (unless the server's WEBHOOK_ALLOWED_HOSTS allows it); a host name must resolve to a public address when the delivery is made.";

const FILE_TYPES = PUBLIC_JOB_TYPES.filter((t) => JOB_SPECS[t].input === 'file');
const JSON_TYPES = PUBLIC_JOB_TYPES.filter((t) => JOB_SPECS[t].input === 'json');

/** One JSON body variant per JSON job type: the common options plus that type's input. */
function jsonSubmitSchemas(): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const t of JSON_TYPES) {
    const input = JSON_INPUT_SCHEMAS[t];
    if (!input) continue;
    out[`Submit_${t.replace(/\W/g, '_')}`] = schemaOf(SubmitJobBody.extend({ type: z.literal(t), input }));
  }
  return out;
}

const multipartSchema = (): Json => ({
  type: 'object',
  required: ['type', 'file'],
  properties: {
    type: { type: 'string', enum: FILE_TYPES },
    file: { type: 'string', contentMediaType: 'application/octet-stream', description: `The document; judged by its bytes. resume.parse accepts ${JOB_SPECS['resume.parse'].accepts?.join(', ').toUpperCase()}` },
    callback_url: { type: 'string', format: 'uri', maxLength: 2048, description: `Webhook called (signed, Standard Webhooks) when the job ends. ${RECEIVER_RULE}` },
    notify: { type: 'string', contentMediaType: 'application/json', contentSchema: { $ref: '#/components/schemas/NotifyTargets' }, description: 'Who to tell when the job ends, as a JSON object string: {"webhook", "email", "sms"} (callback_url is its webhook)' },
    metadata: { type: 'string', contentMediaType: 'application/json', contentSchema: { $ref: '#/components/schemas/Metadata' }, description: 'Metadata as a JSON object string' },
    priority: { type: 'string', pattern: '^\\d{1,4}$', description: 'Integer 0-1000, higher first' },
    run_at: { type: 'string', format: 'date-time', description: 'Delayed start (ISO 8601 with a time zone, at most a year ahead), as in a JSON body' },
    max_attempts: { type: 'string', pattern: '^\\d{1,2}$', description: 'Attempts before the job fails, 1-25 (default: the type\'s policy)' },
  },
});

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problemContent = (example: { status: number; code: string; detail: string }) => ({
  'application/problem+json': {
    schema: ref('Problem'),
    example: { type: `https://jobdesk.dev/problems/${example.code.replace(/_/g, '-')}`, title: TITLE[example.status] ?? 'Error', ...example },
  },
});
const TITLE: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 410: 'Gone', 413: 'Content Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content', 429: 'Too Many Requests', 503: 'Service Unavailable' };

const retryAfter = { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } };
/** Reusable problem responses: status → the codes it can carry. */
const PROBLEMS: Record<string, { status: number; codes: string[]; description: string; headers?: Json }> = {
  BadRequest: { status: 400, codes: [ErrorCode.ValidationFailed, ErrorCode.MalformedJson, ErrorCode.MissingFile, ErrorCode.InvalidCursor], description: 'The request is malformed' },
  Unauthorized: { status: 401, codes: [ErrorCode.Unauthorized], description: 'No API key, or an unknown or revoked one', headers: { 'WWW-Authenticate': { schema: { type: 'string' } } } },
  Forbidden: { status: 403, codes: [ErrorCode.Forbidden], description: 'X-Jobdesk-Tenant without an admin key' },
  NotFound: { status: 404, codes: [ErrorCode.NotFound], description: "No such job for this tenant (another tenant's job is a 404 too)" },
  Gone: { status: 410, codes: [ErrorCode.Gone, ErrorCode.NotFound], description: "The job's data was purged" },
  TooLarge: { status: 413, codes: [ErrorCode.PayloadTooLarge], description: 'The upload or body is over the limit' },
  Unsupported: { status: 415, codes: [ErrorCode.UnsupportedMediaType], description: 'Wrong content type for the job type, or a file of a kind the type does not accept' },
  Unprocessable: { status: 422, codes: [ErrorCode.ValidationFailed, ErrorCode.UnknownJobType, ErrorCode.EmptyFile, ErrorCode.IdempotencyKeyReused], description: 'Invalid fields (see `errors[]`), unknown job type, empty file, or an Idempotency-Key reused with another body' },
  RateLimited: { status: 429, codes: [ErrorCode.RateLimited], description: 'Too many requests for this key', headers: retryAfter },
  Unavailable: { status: 503, codes: [ErrorCode.ServiceUnavailable], description: 'The job-tracker or its database is unreachable; retry later', headers: retryAfter },
};

function problemResponse(p: { status: number; codes: string[]; description: string; headers?: Json }): Json {
  return {
    description: `${p.description}. Codes: ${p.codes.map((c) => `\`${c}\``).join(', ')}`,
    ...(p.headers ? { headers: p.headers } : {}),
    content: problemContent({ status: p.status, code: p.codes[0], detail: p.description }),
    'x-problem-codes': p.codes,
  };
}
const R = (name: keyof typeof PROBLEMS) => ({ [String(PROBLEMS[name].status)]: { $ref: `#/components/responses/${name}` } });
const common = { ...R('Unauthorized'), ...R('Forbidden'), ...R('RateLimited'), ...R('Unavailable') };

const idParam = { $ref: '#/components/parameters/JobId' };
const tenantParam = { $ref: '#/components/parameters/ActAsTenant' };
const jobResponse = (description: string, headers: Json = {}) => ({ description, headers, content: { 'application/json': { schema: ref('Job') } } });

const EXAMPLE_JOB = {
  id: '01939a52-7d0e-7b4c-9f4e-2a0d5c1e8f00',
  type: 'resume.parse',
  status: 'queued',
  progress: 0,
  attempts: 0,
  max_attempts: 3,
  created_at: '2026-01-01T12:00:00.000Z',
  updated_at: '2026-01-01T12:00:00.000Z',
  started_at: null,
  finished_at: null,
  error: null,
  result_url: null,
  metadata: null,
  priority: 0,
  run_at: null,
  purged: false,
  links: { self: '/v1/jobs/01939a52-7d0e-7b4c-9f4e-2a0d5c1e8f00', result: '/v1/jobs/01939a52-7d0e-7b4c-9f4e-2a0d5c1e8f00/result', events: '/v1/jobs/01939a52-7d0e-7b4c-9f4e-2a0d5c1e8f00/events' },
};

function operations(legacy: boolean) {
  const dep = legacy ? { deprecated: true, description: 'The seed\'s spelling; use the /v1/jobs route.' } : {};
  const suffix = legacy ? 'Legacy' : '';
  const submit = {
    operationId: `submitJob${suffix}`,
    tags: ['jobs'],
    summary: 'Submit a job',
    ...(legacy
      ? dep
      : {
          description:
            'Answers `202 Accepted` with the job at once (`Location`, `Retry-After`). File jobs (`resume.parse`) are multipart/form-data with `type` and `file`; JSON jobs (`email.send`) are application/json with `type` and `input`. With `Idempotency-Key`, the same key and body return the first job (200, `Idempotent-Replayed: true`).',
        }),
    parameters: [{ $ref: '#/components/parameters/IdempotencyKey' }, tenantParam],
    requestBody: {
      required: true,
      content: {
        'multipart/form-data': {
          schema: ref('SubmitMultipart'),
          encoding: { file: { contentType: 'application/pdf, application/vnd.openxmlformats-officedocument.wordprocessingml.document, text/plain, text/markdown' } },
          examples: {
            'resume.parse': { summary: 'Parse a resume (PDF, DOCX, TXT, Markdown)', value: { type: 'resume.parse', file: '(binary resume.pdf)', callback_url: 'https://example.com/hooks/jobdesk', metadata: '{"candidate":"c-42"}' } },
          },
        },
        'application/json': {
          schema: ref('SubmitJson'),
          examples: {
            'email.send-template': {
              summary: 'Order confirmation email (template)',
              value: {
                type: 'email.send',
                input: { to: 'ada@example.com', template: 'order-confirmation', data: { order_id: 'A-1001', customer_name: 'Ada', currency: 'EUR', items: [{ name: 'Teapot', quantity: 2, unit_price: 12.5 }] } },
                notify: { webhook: 'https://example.com/hooks/jobdesk' },
                metadata: { shop: 'tea' },
                max_attempts: 5,
              },
            },
            'email.send-literal': {
              summary: 'Literal email (subject and text)',
              value: { type: 'email.send', input: { to: 'ada@example.com', subject: 'Your export is ready', text: 'Hello Ada, your export is ready.' }, priority: 10 },
            },
          },
        },
      },
    },
    responses: {
      '202': { ...jobResponse('Accepted: the job is stored and queued', { Location: { schema: { type: 'string' } }, 'Retry-After': { $ref: '#/components/headers/RetryAfter' } }), content: { 'application/json': { schema: ref('Job'), example: EXAMPLE_JOB } } },
      '200': jobResponse('An Idempotency-Key replay: the original job as it is now', { 'Idempotent-Replayed': { schema: { type: 'string', const: 'true' } } }),
      ...R('BadRequest'),
      ...R('TooLarge'),
      ...R('Unsupported'),
      ...R('Unprocessable'),
      ...common,
    },
  };
  const get = {
    operationId: `getJob${suffix}`,
    tags: ['jobs'],
    summary: 'Get a job',
    ...(legacy ? dep : { description: 'Poll it: queued → processing → completed | failed | canceled. `Retry-After` while it runs; `ETag` / `If-None-Match` → 304. With `Prefer: return=redirect` or `?follow=1` a completed job answers 303 to its result.' }),
    parameters: [
      idParam,
      tenantParam,
      { name: 'follow', in: 'query', required: false, schema: { type: 'string', enum: ['1'] }, description: '303 to the result when completed' },
      { name: 'Prefer', in: 'header', required: false, schema: { type: 'string', example: 'return=redirect' } },
      { name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' } },
    ],
    responses: {
      '200': { ...jobResponse('The job', { ETag: { schema: { type: 'string' } }, 'Retry-After': { $ref: '#/components/headers/RetryAfter' } }) },
      '303': { description: 'Completed, and the client asked for the result', headers: { Location: { schema: { type: 'string' } } } },
      '304': { description: 'Unchanged since the ETag sent in If-None-Match' },
      ...R('NotFound'),
      ...common,
    },
  };
  const cancel = {
    operationId: `cancelJob${suffix}`,
    tags: ['jobs'],
    summary: 'Cancel a job (and optionally purge its data)',
    ...(legacy ? dep : { description: 'Cancels a queued or running job. `?purge=true` also deletes the input file and the result (personal data in resumes); allowed on finished jobs too.' }),
    parameters: [idParam, tenantParam, { name: 'purge', in: 'query', required: false, schema: { type: 'string', enum: ['true', 'false', '1', '0'] } }],
    responses: {
      '200': jobResponse('The job, canceled and/or purged'),
      '409': { description: `The job already finished (only purge applies). Codes: \`${ErrorCode.JobFinished}\``, content: problemContent({ status: 409, code: ErrorCode.JobFinished, detail: 'the job is completed; only ?purge=true applies' }) },
      ...R('NotFound'),
      ...common,
    },
  };
  const result = {
    operationId: `getJobResult${suffix}`,
    tags: ['jobs'],
    summary: "A completed job's result",
    ...(legacy ? dep : { description: 'resume.parse: a JSON Resume document (basics, work, education, skills, …, meta). email.send: the delivery receipt.' }),
    parameters: [idParam, tenantParam],
    responses: {
      '200': {
        description: 'The result',
        content: {
          'application/json': {
            schema: ref('JobResult'),
            examples: {
              'resume.parse': { value: { basics: { name: 'Jane Q Doe', email: 'jane.doe@example.com' }, work: [], education: [], skills: [], meta: { format: 'pdf' } } },
              'email.send': { value: { message_id: '<1@jobdesk.local>', accepted: ['ada@example.com'] } },
            },
          },
        },
      },
      '409': {
        description: `Not finished yet (with Retry-After), failed or canceled. Codes: \`${ErrorCode.ResultNotReady}\`, \`job_failed\`, \`job_canceled\``,
        headers: retryAfter,
        content: problemContent({ status: 409, code: ErrorCode.ResultNotReady, detail: 'the job is processing; the result is not ready yet' }),
        'x-problem-codes': [ErrorCode.ResultNotReady, 'job_failed', 'job_canceled'],
      },
      ...R('NotFound'),
      ...R('Gone'),
      ...common,
    },
  };
  return { submit, get, cancel, result };
}

const EndpointSchema = z.object({
  id: z.string().meta({ format: 'uuid' }),
  url: z.string(),
  description: z.string().nullable(),
  events: z.array(z.enum(WEBHOOK_EVENTS)),
  enabled: z.boolean(),
  disabled_reason: z.string().nullable().describe('`gone` (the receiver answered 410), `failing` (no success for days) or `manual`'),
  disabled_at: iso.nullable(),
  failing_since: iso.nullable().describe('The first failed attempt since the last success; null while healthy'),
  created_at: iso,
  updated_at: iso,
});
const _endpointMatches: Same<Omit<z.infer<typeof EndpointSchema>, 'events'>, Omit<EndpointView, 'events'>> = true;
void _endpointMatches;
const SecretSchema = z.object({
  secret: z.string().describe('`whsec_` + base64: the Standard Webhooks signing secret'),
  previous_valid_until: iso.nullable().describe('After a rotation: until then the previous secret signs too (a second signature)'),
});
const _secretMatches: Same<z.infer<typeof SecretSchema>, SecretView> = true;
void _secretMatches;

/** `/v1/webhooks/…`: registered endpoints, the tenant's signing secret, alert settings. */
function webhookPaths(): Json {
  const epParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' }, description: 'The endpoint id' };
  const tags = ['webhooks'];
  const endpointWithSecret = { allOf: [ref('WebhookEndpoint'), { type: 'object', required: ['secret'], properties: { secret: { type: 'string' } } }] };
  const json = (schema: Json, example?: unknown) => ({ 'application/json': { schema, ...(example === undefined ? {} : { example }) } });
  const secretResponse = (description: string) => ({ description, content: json(ref('WebhookSecret')) });
  return {
    '/v1/webhooks/endpoints': {
      get: {
        operationId: 'listWebhookEndpoints',
        tags,
        summary: 'Registered webhook endpoints',
        parameters: [tenantParam],
        responses: { '200': { description: 'Oldest first', content: json({ type: 'object', required: ['data'], properties: { data: { type: 'array', items: ref('WebhookEndpoint') } } }) }, ...common },
      },
      post: {
        operationId: 'createWebhookEndpoint',
        tags,
        summary: 'Register a webhook endpoint',
        description: `Every job of the tenant that ends with one of \`events\` (default: all) is delivered here, signed (Standard Webhooks) with the endpoint's own secret, returned once here and by GET. At most ${MAX_WEBHOOK_ENDPOINTS} per tenant. ${RECEIVER_RULE} A 410 from the receiver, or no successful delivery for days, disables it (and the tenant's \`alert_email\` is told).`,
        parameters: [tenantParam],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: ref('CreateWebhookEndpoint'),
              examples: {
                all: { summary: 'Every event', value: { url: 'https://example.com/hooks/jobdesk' } },
                failures: { summary: 'Failures only', value: { url: 'https://example.com/hooks/jobdesk-failures', events: ['job.failed'], description: 'on-call' } },
              },
            },
          },
        },
        responses: { '201': { description: 'Registered; `secret` verifies its deliveries', content: json(endpointWithSecret) }, '409': { description: `Too many endpoints. Codes: \`${ErrorCode.ValidationFailed}\``, content: problemContent({ status: 409, code: ErrorCode.ValidationFailed, detail: `at most ${MAX_WEBHOOK_ENDPOINTS} endpoints per tenant; delete one first` }) }, ...R('Unprocessable'), ...R('Unsupported'), ...R('BadRequest'), ...common },
      },
    },
    '/v1/webhooks/endpoints/{id}': {
      get: { operationId: 'getWebhookEndpoint', tags, summary: 'A webhook endpoint, with its secret', parameters: [epParam, tenantParam], responses: { '200': { description: 'The endpoint', content: json(endpointWithSecret) }, ...R('NotFound'), ...common } },
      patch: {
        operationId: 'updateWebhookEndpoint',
        tags,
        summary: 'Change a webhook endpoint, or turn it back on',
        description: '`{"enabled": true}` re-enables a disabled endpoint (and clears its failure record); `false` disables it by hand.',
        parameters: [epParam, tenantParam],
        requestBody: { required: true, content: { 'application/json': { schema: ref('UpdateWebhookEndpoint'), examples: { enable: { value: { enabled: true } }, filter: { value: { events: ['job.completed'] } } } } } },
        responses: { '200': { description: 'The endpoint', content: json(ref('WebhookEndpoint')) }, ...R('NotFound'), ...R('Unprocessable'), ...R('Unsupported'), ...R('BadRequest'), ...common },
      },
      delete: { operationId: 'deleteWebhookEndpoint', tags, summary: 'Delete a webhook endpoint', description: 'Deliveries still queued for it are dropped.', parameters: [epParam, tenantParam], responses: { '204': { description: 'Deleted' }, ...R('NotFound'), ...common } },
    },
    '/v1/webhooks/endpoints/{id}/secret/rotate': {
      post: {
        operationId: 'rotateWebhookEndpointSecret',
        tags,
        summary: "Rotate an endpoint's secret",
        description: 'A new secret at once; for a day, deliveries carry a signature with each (old and new), so receivers can switch without losing any.',
        parameters: [epParam, tenantParam],
        responses: { '200': secretResponse('The new secret'), ...R('NotFound'), ...common },
      },
    },
    '/v1/webhooks/endpoints/{id}/deliveries': {
      get: {
        operationId: 'listWebhookEndpointDeliveries',
        tags,
        summary: "An endpoint's delivery log",
        description: 'Every attempt to this endpoint, newest first: job, status code, latency, error, outcome.',
        parameters: [epParam, tenantParam, { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } }],
        responses: { '200': { description: 'Attempts', content: json({ type: 'object', required: ['data'], properties: { data: { type: 'array', items: ref('Delivery') } } }) }, ...R('NotFound'), ...R('BadRequest'), ...common },
      },
    },
    '/v1/webhooks/secret': {
      get: {
        operationId: 'getWebhookSecret',
        tags,
        summary: 'The signing secret of per-job callbacks',
        description: "Deliveries to a job's `notify.webhook` / `callback_url` are signed with this tenant secret (made on first use).",
        parameters: [tenantParam],
        responses: { '200': secretResponse('The current secret'), ...common },
      },
    },
    '/v1/webhooks/secret/rotate': {
      post: {
        operationId: 'rotateWebhookSecret',
        tags,
        summary: 'Rotate the signing secret of per-job callbacks',
        description: 'The old secret keeps signing too (a second signature) for a day.',
        parameters: [tenantParam],
        responses: { '200': secretResponse('The new secret'), ...common },
      },
    },
    '/v1/webhooks/settings': {
      get: { operationId: 'getWebhookSettings', tags, summary: 'Where the tenant is told about disabled endpoints', parameters: [tenantParam], responses: { '200': { description: 'Settings', content: json(ref('WebhookSettings')) }, ...common } },
      put: {
        operationId: 'putWebhookSettings',
        tags,
        summary: 'Set the alert address',
        description: 'When an endpoint is disabled, an email goes to `alert_email` (null: nobody is emailed; the endpoint shows `disabled_reason`).',
        parameters: [tenantParam],
        requestBody: { required: true, content: { 'application/json': { schema: ref('WebhookSettings'), examples: { set: { value: { alert_email: 'ops@example.com' } }, clear: { value: { alert_email: null } } } } } },
        responses: { '200': { description: 'Settings', content: json(ref('WebhookSettings')) }, ...R('Unprocessable'), ...R('Unsupported'), ...R('BadRequest'), ...common },
      },
    },
  };
}

export function buildOpenApiDocument(): Json {
  const cur = operations(false);
  const old = operations(true);
  const jsonVariants = jsonSubmitSchemas();
  const sms = smsOpenApi(schemaOf);
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    info: {
      title: 'jobdesk',
      version: '1.0.0',
      summary: 'Asynchronous jobs: submit work, get 202 and a job id, collect the result by polling, Server-Sent Events or a signed webhook.',
      description:
        'Every request needs `Authorization: Bearer <API key>` (keys are made with `npm run keys -- create --tenant <name>`). Errors are RFC 9457 `application/problem+json` with a stable `code`. Another tenant\'s job is always a 404.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/', description: 'this gateway' }],
    security: [{ bearerAuth: [] }],
    tags: [
      { name: 'jobs', description: 'Submit, follow, cancel and collect jobs' },
      { name: 'webhooks', description: 'Registered endpoints, signing secrets and their rotation, delivery logs' },
      { name: 'meta', description: 'This document, the docs page, health and metrics (no API key)' },
      { name: 'sms', description: "Conversations by text: Twilio's inbound webhook, the rules, a conversation per number" },
    ],
    paths: {
      '/v1/jobs': {
        post: cur.submit,
        get: {
          operationId: 'listJobs',
          tags: ['jobs'],
          summary: 'List and search jobs',
          description: 'Newest first, cursor pagination. Filter by `status` (comma-separated), `type`, creation time and `metadata.<key>=<value>` (any number).',
          parameters: [
            tenantParam,
            { name: 'status', in: 'query', schema: { type: 'string', example: 'queued,processing' }, description: `Comma-separated: ${STATUSES.join(', ')}` },
            { name: 'type', in: 'query', schema: { type: 'string', maxLength: 64, enum: JOB_TYPES } },
            { name: 'created_after', in: 'query', schema: { type: 'string', format: 'date-time' } },
            { name: 'created_before', in: 'query', schema: { type: 'string', format: 'date-time' } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
            { name: 'cursor', in: 'query', schema: { type: 'string', maxLength: 200 } },
            { name: 'metadata', in: 'query', style: 'deepObject', explode: true, schema: { type: 'object', additionalProperties: { type: 'string', maxLength: 512 } }, description: '`metadata.<key>=<value>`: jobs whose metadata has that value', example: { shop: 'tea' } },
          ],
          responses: { '200': { description: 'A page of jobs', content: { 'application/json': { schema: ref('JobList') } } }, ...R('BadRequest'), ...common },
        },
      },
      '/v1/jobs/{id}': { get: cur.get, delete: cur.cancel },
      '/v1/jobs/{id}/retry': {
        post: {
          operationId: 'retryJob',
          tags: ['jobs'],
          summary: 'Retry a failed job',
          description: 'Queues a failed (or canceled) job again with fresh attempts.',
          parameters: [idParam, tenantParam],
          responses: {
            '202': jobResponse('Queued again'),
            '409': { description: `Only failed jobs can be retried. Codes: \`${ErrorCode.JobNotRetryable}\``, content: problemContent({ status: 409, code: ErrorCode.JobNotRetryable, detail: 'the job is completed; only failed jobs can be retried' }) },
            ...R('NotFound'),
            ...R('Gone'),
            ...common,
          },
        },
      },
      '/v1/jobs/{id}/events': {
        get: {
          operationId: 'streamJobEvents',
          tags: ['jobs'],
          summary: 'Live status as Server-Sent Events',
          description:
            'First the current status (`event: status`, the job), then each change (`event: status` with the transition\'s sequence number as `id:`) and `event: progress`; `: keep-alive` comments every 15 s; the stream ends after a terminal status, or with `event: error` (problem details as data, e.g. status 401 `unauthorized`) once its API key is revoked, within the time a revoked key takes to stop working (API_KEY_CACHE_MS, 30 s) — do not reconnect with that key. Reconnect with `Last-Event-ID` (or `?last_event_id=`) to get exactly what was missed. Sent with `X-Accel-Buffering: no`.',
          parameters: [
            idParam,
            tenantParam,
            { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string', pattern: '^\\d{1,15}$' } },
            { name: 'last_event_id', in: 'query', required: false, schema: { type: 'string', pattern: '^\\d{1,15}$' } },
          ],
          responses: {
            '200': {
              description: 'An event stream',
              content: { 'text/event-stream': { schema: { type: 'string' }, example: 'retry: 2000\n\nid: 1\nevent: status\ndata: {"id":"…","status":"queued",…}\n\nid: 2\nevent: status\ndata: {"id":"…","status":"processing","attempts":1,"at":"…"}\n\nevent: progress\ndata: {"id":"…","progress":50}\n\nid: 3\nevent: status\ndata: {"id":"…","status":"completed","attempts":1,"at":"…"}\n\n' } },
            },
            ...R('NotFound'),
            ...common,
          },
        },
      },
      '/v1/jobs/{id}/result': { get: cur.result },
      '/v1/jobs/{id}/deliveries': {
        get: {
          operationId: 'listJobDeliveries',
          tags: ['jobs'],
          summary: "The job's webhook delivery log",
          description: 'Every attempt to deliver the job-finished webhook: status code, latency, error, outcome.',
          parameters: [idParam, tenantParam],
          responses: { '200': { description: 'Attempts, oldest first', content: { 'application/json': { schema: { type: 'object', required: ['data'], properties: { data: { type: 'array', items: ref('Delivery') } } } } } }, ...R('NotFound'), ...common },
        },
      },
      '/v1/jobs/{id}/redeliver': {
        post: {
          operationId: 'redeliverJobWebhook',
          tags: ['jobs'],
          summary: "Deliver a finished job's webhook again",
          description: 'A fresh round of attempts with the same webhook-id (receivers deduplicate on it).',
          parameters: [idParam, tenantParam],
          responses: {
            '202': { description: 'Queued', content: { 'application/json': { schema: { type: 'object', required: ['redelivery'], properties: { redelivery: { type: 'integer' } } } } } },
            '409': { description: `The job has not finished, or has no webhook. Codes: \`${ErrorCode.JobNotRetryable}\`, \`${ErrorCode.ValidationFailed}\``, content: problemContent({ status: 409, code: ErrorCode.JobNotRetryable, detail: 'the job is processing: there is nothing to redeliver yet' }), 'x-problem-codes': [ErrorCode.JobNotRetryable, ErrorCode.ValidationFailed] },
            ...R('NotFound'),
            ...common,
          },
        },
      },
      '/v1/jobs/{id}/input': {
        get: {
          operationId: 'getJobInput',
          tags: ['jobs'],
          summary: 'The file handed in with the job',
          description: 'The upload as it was stored (resume jobs), typed from its bytes, with a sandboxing CSP. 404 for JSON jobs, 410 once purged.',
          parameters: [idParam, tenantParam],
          responses: { '200': { description: 'The file', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }, ...R('NotFound'), ...R('Gone'), ...common },
        },
      },
      '/v1/jobs/{id}/transitions': {
        get: {
          operationId: 'listJobTransitions',
          tags: ['jobs'],
          summary: "The job's status history",
          description: 'Every status change, oldest first, with its sequence number (the SSE event id).',
          parameters: [idParam, tenantParam],
          responses: {
            '200': {
              description: 'Transitions',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['data'],
                    properties: { data: { type: 'array', items: { type: 'object', required: ['seq', 'to', 'attempt', 'at'], properties: { seq: { type: 'integer' }, from: { type: ['string', 'null'] }, to: { type: 'string' }, attempt: { type: 'integer' }, at: { type: 'string', format: 'date-time' } } } } },
                  },
                },
              },
            },
            ...R('NotFound'),
            ...common,
          },
        },
      },
      ...webhookPaths(),
      '/': {
        get: { operationId: 'getDashboard', tags: ['meta'], summary: 'The dashboard (sign in with an API key in the page)', security: [], responses: { '200': { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } } } },
      },
      '/assets/{name}': {
        get: {
          operationId: 'getDashboardAsset',
          tags: ['meta'],
          summary: "The dashboard's scripts and styles",
          security: [],
          parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'The asset' }, '404': { $ref: '#/components/responses/NotFound' } },
        },
      },
      ...sms.paths,
      '/job': { post: old.submit },
      '/job/{id}': { get: old.get, delete: old.cancel },
      '/result/{id}': { get: old.result },
      '/openapi.json': {
        get: { operationId: 'getOpenApiDocument', tags: ['meta'], summary: 'This document', security: [], responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } } } },
      },
      '/docs': {
        get: { operationId: 'getDocs', tags: ['meta'], summary: 'The API reference page (served by the gateway; nothing fetched elsewhere)', security: [], responses: { '200': { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } } } },
      },
      '/docs/{asset}': {
        get: {
          operationId: 'getDocsAsset',
          tags: ['meta'],
          summary: "The docs page's scripts and styles",
          security: [],
          parameters: [{ name: 'asset', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'The asset' }, '404': { $ref: '#/components/responses/NotFound' } },
        },
      },
      '/metrics': { get: { operationId: 'getMetrics', tags: ['meta'], summary: 'Prometheus metrics', security: [], responses: { '200': { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
      '/health/live': { get: { operationId: 'getLiveness', tags: ['meta'], summary: 'Liveness', security: [], responses: { '200': { description: 'Alive', content: { 'application/json': { schema: { type: 'object' } } } } } } },
      '/health/ready': {
        get: {
          operationId: 'getReadiness',
          tags: ['meta'],
          summary: 'Readiness (NATS, storage)',
          security: [],
          responses: { '200': { description: 'Ready', content: { 'application/json': { schema: { type: 'object' } } } }, '503': { description: 'Not ready', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
    },
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'jdk_<id>_<secret>', description: 'An API key from `npm run keys -- create --tenant <name>`' } },
      headers: { RetryAfter: { description: 'Seconds to wait before asking again', schema: { type: 'integer', minimum: 0 } } },
      parameters: {
        JobId: { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' }, description: 'The job id (from the 202)' },
        IdempotencyKey: { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' }, description: 'The same key and body return the first job; with another body, 422 `idempotency_key_reused`' },
        ActAsTenant: { name: 'X-Jobdesk-Tenant', in: 'header', required: false, schema: { type: 'string' }, description: 'Admin keys only: act for this tenant' },
      },
      schemas: {
        Job: schemaOf(JobViewSchema, 'output'),
        JobList: { ...schemaOf(JobListSchema, 'output'), properties: { data: { type: 'array', items: ref('Job') }, next_cursor: { type: ['string', 'null'] } } },
        Problem: schemaOf(ProblemSchema, 'output'),
        Delivery: schemaOf(DeliverySchema, 'output'),
        WebhookEndpoint: schemaOf(EndpointSchema, 'output'),
        CreateWebhookEndpoint: schemaOf(CreateEndpointBody),
        UpdateWebhookEndpoint: schemaOf(UpdateEndpointBody),
        WebhookSecret: schemaOf(SecretSchema, 'output'),
        WebhookSettings: schemaOf(WebhookSettingsBody),
        NotifyTargets: { ...schemaOf(NotifyTargets), description: `Who is told when the job ends: any of a signed webhook, an email, an SMS. Webhook: ${RECEIVER_RULE}` },
        Metadata: { ...schemaOf(Metadata), description: 'Small searchable JSON: at most 32 keys; values string (≤512), number, boolean or null' },
        EmailSendInput: schemaOf(EmailSendInput),
        SubmitMultipart: multipartSchema(),
        ...sms.schemas,
        ...jsonVariants,
        SubmitJson: { oneOf: Object.keys(jsonVariants).map(ref), discriminator: { propertyName: 'type', mapping: Object.fromEntries(JSON_TYPES.filter((t) => JSON_INPUT_SCHEMAS[t]).map((t) => [t, `#/components/schemas/Submit_${t.replace(/\W/g, '_')}`])) } },
        JobResult: {
          type: 'object',
          description: 'resume.parse: JSON Resume (https://jsonresume.org/schema) with `meta`; email.send: the delivery receipt',
          properties: {
            basics: { type: 'object', properties: { name: { type: 'string' }, label: { type: 'string' }, email: { type: 'string' }, phone: { type: 'string' }, url: { type: 'string' }, summary: { type: 'string' } }, additionalProperties: true },
            work: { type: 'array', items: { type: 'object' } },
            education: { type: 'array', items: { type: 'object' } },
            skills: { type: 'array', items: { type: 'object' } },
            meta: { type: 'object' },
          },
          additionalProperties: true,
        },
      },
      responses: Object.fromEntries(Object.entries(PROBLEMS).map(([name, p]) => [name, problemResponse(p)])),
    },
  };
}

let cached: string | undefined;
/** The document as the gateway serves it (built once). */
export function openApiJson(): string {
  return (cached ??= JSON.stringify(buildOpenApiDocument()));
}
