import { z } from 'zod';

/**
 * Every setting of every app, read from the environment in this one place and validated at boot.
 * Defaults suit one machine with PostgreSQL, Redis and NATS on their standard local ports.
 */
const int = (def: number) => z.coerce.number().int().nonnegative().default(def);
const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['debug', 'log', 'warn', 'error']).default('log'),
  LOG_FORMAT: z.enum(['text', 'json']).default('text'),
  /** How often queue depth and oldest-job age are sampled for /metrics. */
  QUEUE_METRICS_INTERVAL_MS: z.coerce.number().int().min(100).max(300_000).default(5_000),
  /** HTTP port of this app (API for the gateway; metrics and health for the others). */
  PORT: z.coerce.number().int().min(0).max(65535).optional(),
  HOST: z.string().default('0.0.0.0'),
  /**
   * Time a client has to send a whole request, headers and body (an upload of MAX_UPLOAD_BYTES
   * included); then 408 and the connection is closed, so a stalled upload does not hold it
   * forever. Responses (SSE streams) are not limited by it. 0 = no limit (Fastify's default).
   */
  REQUEST_TIMEOUT_MS: int(60_000),
  /** How clients reach the gateway; used for absolute links in webhooks. */
  PUBLIC_BASE_URL: z.string().url().default('http://127.0.0.1:3000'),

  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/jobdesk'),
  DATABASE_POOL_MAX: int(10),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  /** BullMQ key prefix; give each test run its own. */
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/).default('jobdesk'),
  NATS_URL: z.string().default('nats://127.0.0.1:4222'),
  /** Prefix of every NATS subject and JetStream stream; give each test run its own. */
  NATS_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/).default('jobdesk'),
  /** Require an API key on the job API. `npm start` turns it off explicitly for local use. */
  AUTH_REQUIRED: bool(true),
  /**
   * Keys set by the operator (Helm Secret, compose), besides those in the database:
   * comma-separated `tenant:key` (a bare key belongs to tenant `default`); 16 characters at least.
   */
  API_KEYS: z
    .string()
    .default('')
    .refine((v) => v.split(',').map((e) => e.trim()).filter(Boolean).every((e) => (e.includes(':') ? e.slice(e.indexOf(':') + 1) : e).length >= 16), 'each key needs 16 characters at least'),
  /**
   * How long the gateway trusts a key's check (so a revoked key stops working within it); open
   * live streams re-check their key as often.
   */
  API_KEY_CACHE_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /** Requests per second per API key (counted in Redis, so across gateway replicas); 0 = no limit. */
  RATE_LIMIT_PER_SECOND: int(200),
  /** Days a finished job keeps its input and result files. */
  RETENTION_DAYS: z.coerce.number().positive().default(7),
  /** How long the gateway waits for job-tracker before answering 503. */
  RPC_TIMEOUT_MS: int(5_000),

  STORAGE_DRIVER: z.enum(['fs', 's3']).default('fs'),
  STORAGE_DIR: z.string().default('.data/objects'),
  S3_ENDPOINT: z.string().url().default('http://127.0.0.1:9000'),
  S3_REGION: z.string().default('us-east-1'),
  S3_BUCKET: z.string().default('jobdesk'),
  S3_ACCESS_KEY: z.string().default('minioadmin'),
  S3_SECRET_KEY: z.string().default('minioadmin'),

  MAX_UPLOAD_BYTES: int(10 * 1024 * 1024),
  /** Results up to this size travel in the completed event and are kept in the job's row; larger ones (or all, with 0) are files in storage. */
  RESULT_INLINE_MAX_BYTES: int(32 * 1024),
  /** Multiplies every retry backoff of the job catalogue (tests make retries fast with 0.01). */
  RETRY_BACKOFF_FACTOR: z.coerce.number().nonnegative().default(1),
  /** Seconds suggested to pollers in Retry-After. */
  POLL_AFTER_S: int(1),

  WORKER_CONCURRENCY: int(4),
  /**
   * A worker tells job-tracker an attempt started (status processing) once it has run this long;
   * a shorter attempt goes from queued straight to its end, one event instead of two. 0: at once.
   */
  STARTED_EVENT_AFTER_MS: int(50),
  PARSER_THREADS: int(2),
  PARSER_MAX_PAGES: int(20),
  PARSER_TIMEOUT_MS: int(60_000),

  SMTP_URL: z.string().default('smtp://127.0.0.1:1025'),
  MAIL_FROM: z.string().default('jobdesk <no-reply@jobdesk.local>'),

  /** SMS provider speaking Twilio's REST API (Twilio itself, or a compatible service / test double). */
  SMS_BASE_URL: z.string().url().default('https://api.twilio.com'),
  SMS_ACCOUNT_SID: z.string().default(''),
  SMS_AUTH_TOKEN: z.string().default(''),
  SMS_FROM: z.string().default(''),
  SMS_TIMEOUT_MS: int(10_000),

  /** After a signing-secret rotation, the old secret is still sent (a second signature) this long. */
  WEBHOOK_SECRET_GRACE_S: int(86_400),
  /** A registered endpoint with no successful delivery for this long is disabled and its tenant told. */
  WEBHOOK_DISABLE_AFTER_S: int(5 * 86_400),
  WEBHOOK_TIMEOUT_MS: int(10_000),
  /** Private receivers webhooks may reach anyway (dev, tests): hosts or CIDRs, comma-separated. */
  WEBHOOK_ALLOWED_HOSTS: z.string().default(''),
  WEBHOOK_ATTEMPTS: int(8),
  /** Reconciler: re-add queued jobs that Redis lost, once they are this old. */
  RECONCILE_INTERVAL_MS: int(15_000),
  RECONCILE_AFTER_MS: int(30_000),
});

export type AppConfig = z.infer<typeof EnvSchema>;

export class ConfigError extends Error {}

/** Parses an environment; throws a message naming each bad variable. */
export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = EnvSchema.safeParse(clean);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message} (got ${JSON.stringify(clean[String(i.path[0])])})`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

let cached: AppConfig | undefined;
/** The process's configuration, read once. */
export function loadConfig(): AppConfig {
  cached ??= parseConfig(process.env);
  return cached;
}
