import { z } from 'zod';
import { FileRef, isJobType, isPublicJobType } from './job-types';
import { NotifyTargets } from './notify';

export const JobStatus = {
  Queued: 'queued',
  Processing: 'processing',
  Completed: 'completed',
  Failed: 'failed',
  Canceled: 'canceled',
} as const;
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];
export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'canceled'];
export const isTerminal = (s: JobStatus): boolean => TERMINAL_STATUSES.includes(s);

export const JobError = z.object({ code: z.string(), message: z.string() });
export type JobError = z.infer<typeof JobError>;

/**
 * Where a finished job's result lives: `key` in object storage, or, when there is no key, in the
 * job's own row (results up to RESULT_INLINE_MAX_BYTES: no file per job).
 */
export const ResultRef = z.object({ key: z.string().optional(), contentType: z.string(), size: z.number().int().nonnegative() });
export type ResultRef = z.infer<typeof ResultRef>;

export const JobInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('file'), file: FileRef }),
  z.object({ kind: z.literal('json'), data: z.unknown() }),
]);
export type JobInput = z.infer<typeof JobInput>;

/** The job as job-tracker knows it; the gateway turns it into the public JSON. */
export const JobRecord = z.object({
  id: z.string().uuid(),
  tenant: z.string(),
  type: z.string(),
  status: z.enum(['queued', 'processing', 'completed', 'failed', 'canceled']),
  progress: z.number().int().min(0).max(100),
  attempts: z.number().int().nonnegative(),
  maxAttempts: z.number().int().positive(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  error: JobError.nullable(),
  result: ResultRef.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  runAt: z.string().nullable(),
  priority: z.number().int(),
  /** Whether input and result were deleted on request or by retention. */
  purged: z.boolean(),
});
export type JobRecord = z.infer<typeof JobRecord>;

export const Metadata = z
  .record(z.string().max(64), z.union([z.string().max(512), z.number(), z.boolean(), z.null()], { error: 'metadata values are flat: a string (up to 512 characters), number, boolean or null' }))
  .refine((m) => Object.keys(m).length <= 32, { message: 'at most 32 metadata keys' });

/** A job to make, of any type: what job-tracker's create takes in-process, internal types included. */
export const CreateAnyJobRequest = z.object({
  id: z.string().uuid(),
  tenant: z.string().min(1),
  type: z.string(),
  input: JobInput,
  notify: NotifyTargets.nullable().default(null),
  metadata: Metadata.nullable().default(null),
  priority: z.number().int().min(0).max(1000).default(0),
  runAt: z.string().datetime().nullable().default(null),
  maxAttempts: z.number().int().min(1).max(25).nullable().default(null),
  timeoutMs: z.number().int().min(1000).max(3_600_000).nullable().default(null),
  /** Epoch ms after which the caller has given up (answered 503): the tracker must not commit. */
  deadline: z.number().int().positive().nullable().default(null),
  /** With the request's fingerprint: the same key and body return the first job. */
  idempotency: z.object({ key: z.string().min(1).max(255), fingerprint: z.string() }).nullable().default(null),
});

/**
 * gateway / notifier → job-tracker: make a job. The id is chosen by the gateway so the upload can
 * be stored first. Internal types are refused here too, not only by the public API: whatever can
 * publish on NATS must still come through their own entry point (`sms.inbound`: a signed request).
 * Unknown types pass, for job-tracker to answer `unknown_job_type`.
 */
export const CreateJobRequest = CreateAnyJobRequest.refine((r) => !isJobType(r.type) || isPublicJobType(r.type), {
  path: ['type'],
  message: 'this job type is made only by its own entry point',
});
export type CreateJobRequest = z.input<typeof CreateJobRequest>;

/** The tracker's answer to create: `replayed` when an Idempotency-Key matched an earlier job. */
export interface CreateJobReply {
  job: JobRecord;
  replayed: boolean;
}

export const GetJobRequest = z.object({ tenant: z.string().min(1), id: z.string() });
export type GetJobRequest = z.infer<typeof GetJobRequest>;

/** The body of a result kept in the job's row (`tracker.result`); null when there is none (purged, or kept in storage). */
export const ResultBodyReply = z.object({ body: z.string().nullable() });
export type ResultBodyReply = z.infer<typeof ResultBodyReply>;

export const CancelJobRequest = z.object({ tenant: z.string().min(1), id: z.string(), purge: z.boolean().default(false) });
export type CancelJobRequest = z.input<typeof CancelJobRequest>;

export const RetryJobRequest = z.object({ tenant: z.string().min(1), id: z.string() });
export type RetryJobRequest = z.infer<typeof RetryJobRequest>;

export const ListJobsRequest = z.object({
  tenant: z.string().min(1),
  status: z.array(z.enum(['queued', 'processing', 'completed', 'failed', 'canceled'])).optional(),
  type: z.string().max(64).optional(),
  createdAfter: z.string().datetime({ offset: true }).optional(),
  createdBefore: z.string().datetime({ offset: true }).optional(),
  metadata: z.record(z.string().max(64), z.string().max(512)).optional(),
  limit: z.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});
export type ListJobsRequest = z.input<typeof ListJobsRequest>;
export interface ListJobsReply {
  jobs: JobRecord[];
  nextCursor: string | null;
}

/** A job's status history, for SSE replay after `Last-Event-ID`. */
export const TransitionsRequest = z.object({ tenant: z.string().min(1), id: z.string(), after: z.number().int().nonnegative().default(0) });
export type TransitionsRequest = z.input<typeof TransitionsRequest>;
export interface TransitionView {
  seq: number;
  from: string | null;
  to: string;
  attempt: number;
  at: string;
}

export const JobRefRequest = z.object({ tenant: z.string().min(1), id: z.string() });
export type JobRefRequest = z.infer<typeof JobRefRequest>;

/** API keys: the gateway asks who a key belongs to. */
export const AuthenticateRequest = z.object({ key: z.string().min(1).max(200) });
export interface Principal {
  keyId: string;
  tenant: string;
  admin: boolean;
}

/** Every request-reply answer: the value, or an error the caller can map to HTTP. */
export type RpcReply<T> = { ok: true; value: T } | { ok: false; error: RpcError };
export interface RpcError {
  code: string;
  message: string;
  /** The HTTP status the gateway should answer with. */
  status: number;
}

/** The payload of every BullMQ job: the BullMQ job id is the job id. */
export const QueuedJob = z.object({
  jobId: z.string().uuid(),
  tenant: z.string(),
  type: z.string(),
  input: JobInput,
  correlationId: z.string(),
  /** Attempts made before this run (a manual retry starts a fresh BullMQ job). */
  attemptBase: z.number().int().nonnegative().default(0),
  /** Per-job limit for one attempt; the type's policy otherwise. */
  timeoutMs: z.number().int().positive().nullable().default(null),
  /** W3C trace context of whoever queued the job (the submit request, a retry, the reconciler). */
  traceparent: z.string().max(55).optional(),
});
export type QueuedJob = z.infer<typeof QueuedJob>;
