import { z } from 'zod';

/** The job catalogue: every job type, what input it takes and how it is retried. */
export const JobType = {
  ResumeParse: 'resume.parse',
  EmailSend: 'email.send',
  SmsSend: 'sms.send',
  /** A text a customer sent to a tenant's number (made by `POST /v1/inbound/sms/{tenant}`). */
  SmsInbound: 'sms.inbound',
  /** Texts a yes/no question and keeps it open for an answer until it expires. */
  SmsConfirmRequest: 'sms.confirm-request',
  /** Does nothing for `ms` milliseconds: health checks, benchmarks and the chaos suite. */
  Noop: 'noop',
} as const;
export type JobType = (typeof JobType)[keyof typeof JobType];
export const JOB_TYPES: readonly JobType[] = Object.values(JobType);

export function isJobType(value: unknown): value is JobType {
  return typeof value === 'string' && (JOB_TYPES as readonly string[]).includes(value);
}

/** File formats the system can recognise from an upload's bytes. */
export type FileFormat = 'pdf' | 'docx' | 'doc' | 'odt' | 'rtf' | 'html' | 'txt' | 'md' | 'png' | 'jpeg' | 'zip' | 'unknown';

export interface RetryPolicy {
  /** Total attempts, the first one included. */
  attempts: number;
  /** Base delay of the exponential backoff between attempts. */
  backoffMs: number;
  /** A running attempt longer than this fails (and may be retried). */
  timeoutMs: number;
}

export interface JobTypeSpec {
  type: JobType;
  /** `file`: submitted as multipart upload; `json`: submitted as a JSON `input`. */
  input: 'file' | 'json';
  /** For file jobs: the formats accepted, as recognised by @jobdesk/file-formats. */
  accepts?: readonly FileFormat[];
  /**
   * `false`: made only by its own entry point, never through `POST /v1/jobs` or job-tracker's
   * create subject — the entry point checks what the job's input is trusted for.
   */
  public: boolean;
  policy: RetryPolicy;
}

export const JOB_SPECS: Record<JobType, JobTypeSpec> = {
  'resume.parse': {
    type: 'resume.parse',
    input: 'file',
    accepts: ['pdf', 'docx', 'doc', 'odt', 'rtf', 'html', 'txt', 'md', 'png', 'jpeg'],
    public: true,
    policy: { attempts: 3, backoffMs: 2_000, timeoutMs: 120_000 },
  },
  'email.send': {
    type: 'email.send',
    input: 'json',
    public: true,
    policy: { attempts: 5, backoffMs: 5_000, timeoutMs: 60_000 },
  },
  'sms.send': {
    type: 'sms.send',
    input: 'json',
    public: true,
    policy: { attempts: 6, backoffMs: 5_000, timeoutMs: 30_000 },
  },
  'sms.inbound': {
    type: 'sms.inbound',
    input: 'json',
    // Its input is what a customer texted, and a STOP in it opts the number out: only
    // `POST /v1/inbound/sms/{tenant}`, after the Twilio signature is checked, may make one.
    public: false,
    policy: { attempts: 5, backoffMs: 2_000, timeoutMs: 30_000 },
  },
  'sms.confirm-request': {
    type: 'sms.confirm-request',
    input: 'json',
    public: true,
    policy: { attempts: 5, backoffMs: 2_000, timeoutMs: 30_000 },
  },
  noop: {
    type: 'noop',
    input: 'json',
    public: true,
    policy: { attempts: 3, backoffMs: 1_000, timeoutMs: 120_000 },
  },
};

/** The types a client may submit (`POST /v1/jobs`); the others have their own entry point. */
export const PUBLIC_JOB_TYPES: readonly JobType[] = JOB_TYPES.filter((t) => JOB_SPECS[t].public);

export function isPublicJobType(value: unknown): value is JobType {
  return isJobType(value) && JOB_SPECS[value].public;
}

// ---- inputs ---------------------------------------------------------------------------------

/** Where an uploaded input lives in object storage. */
export const FileRef = z.object({
  key: z.string().min(1),
  filename: z.string().max(255),
  contentType: z.string(),
  format: z.string(),
  size: z.number().int().nonnegative(),
});
export type FileRef = z.infer<typeof FileRef>;

const email = z.string().email().max(320);
const OrderItem = z.object({
  name: z.string().min(1).max(200),
  quantity: z.number().int().positive().max(100_000),
  unit_price: z.number().nonnegative(),
});

export const OrderConfirmationData = z.object({
  order_id: z.string().min(1).max(64),
  customer_name: z.string().min(1).max(200),
  items: z.array(OrderItem).min(1).max(500),
  currency: z.string().length(3).default('USD'),
  shipping_address: z.string().max(1000).optional(),
});
export type OrderConfirmationData = z.infer<typeof OrderConfirmationData>;

/** Sent by the notifier when a job with an email target ends. */
export const JobFinishedData = z.object({
  job_id: z.string(),
  job_type: z.string(),
  status: z.enum(['completed', 'failed', 'canceled']),
  result_url: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type JobFinishedData = z.infer<typeof JobFinishedData>;

/** E.164: + and 8 to 15 digits. */
export const PhoneNumber = z.string().regex(/^\+[1-9]\d{7,14}$/, 'a phone number in E.164 form, e.g. +14155550123');

/** `sms.send`: one text message through the configured provider (Twilio's API shape). */
export const SmsSendInput = z
  .object({
    to: PhoneNumber,
    body: z.string().min(1).max(1600),
    /** The sender; SMS_FROM by default (replies go from the number the customer texted). */
    from: PhoneNumber.optional(),
  })
  .strict();
export type SmsSendInput = z.infer<typeof SmsSendInput>;

/** `sms.inbound`: one text received through Twilio's inbound webhook (its fields, renamed). */
export const SmsInboundInput = z
  .object({
    message_sid: z.string().regex(/^[A-Za-z0-9]{10,64}$/, 'a Twilio MessageSid'),
    from: PhoneNumber,
    to: PhoneNumber,
    body: z.string().max(1600),
    num_media: z.number().int().min(0).max(10).default(0),
  })
  .strict();
export type SmsInboundInput = z.infer<typeof SmsInboundInput>;

/** `sms.confirm-request`: texts `question` and keeps it open for YES / NO until it expires. */
export const SmsConfirmRequestInput = z
  .object({
    to: PhoneNumber,
    question: z.string().min(1).max(1000),
    /** How long the question stays open (default one day). */
    expires_in_s: z.number().int().min(60).max(30 * 86_400).default(86_400),
    from: PhoneNumber.optional(),
  })
  .strict();
export type SmsConfirmRequestInput = z.infer<typeof SmsConfirmRequestInput>;

/** `email.send`: either a named template with its data, or a literal subject with text and/or html. */
export const EmailSendInput = z.discriminatedUnion(
  'template',
  [
    z.object({
      to: email,
      template: z.literal('order-confirmation'),
      data: OrderConfirmationData,
      reply_to: email.optional(),
    }),
    z.object({
      to: email,
      template: z.literal('job-finished'),
      data: JobFinishedData,
      reply_to: email.optional(),
    }),
    z
      .object({
        to: email,
        template: z.undefined().optional().meta({ description: 'absent: an email written out here has no template', not: {} }),
        subject: z.string().min(1).max(998),
        text: z.string().max(1_000_000).optional(),
        html: z.string().max(1_000_000).optional(),
        reply_to: email.optional(),
      })
      .refine((v) => v.text !== undefined || v.html !== undefined, { message: 'text or html is required' }),
  ],
  // Chosen by `template`: an unknown one is named as such, not reported as a missing subject.
  { error: (iss) => (iss.code === 'invalid_union' ? 'unknown template: one of order-confirmation, job-finished; or no template, with subject and text or html' : undefined) },
);
export type EmailSendInput = z.infer<typeof EmailSendInput>;

export const NoopInput = z
  .object({
    /** How long the job takes. */
    ms: z.number().int().min(0).max(60_000).default(0),
    /** Fail this many first attempts (retryable), to exercise retries. */
    fail_attempts: z.number().int().min(0).max(25).default(0),
  })
  .strict();
export type NoopInput = z.infer<typeof NoopInput>;

/** JSON inputs by job type; file jobs take a FileRef made by the gateway. */
export const JSON_INPUT_SCHEMAS: Partial<Record<JobType, z.ZodType>> = {
  'email.send': EmailSendInput,
  'sms.send': SmsSendInput,
  'sms.inbound': SmsInboundInput,
  'sms.confirm-request': SmsConfirmRequestInput,
  noop: NoopInput,
};
