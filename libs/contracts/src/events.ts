import { z } from 'zod';
import { JobError, ResultRef, JobStatus } from './job';
import { StoredNotifyTargets } from './notify';

/** The envelope of every event on JetStream. */
export interface EventEnvelope<T extends string, D> {
  id: string;
  type: T;
  version: 1;
  occurredAt: string;
  correlationId: string;
  /** W3C trace context of the span that published the event. */
  traceparent?: string;
  data: D;
}

const envelope = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.object({
    id: z.string().min(1),
    type: z.literal(type),
    version: z.literal(1),
    occurredAt: z.string(),
    correlationId: z.string(),
    traceparent: z.string().max(55).optional(),
    data,
  });

const workerBase = { jobId: z.string().uuid(), tenant: z.string(), attempt: z.number().int().positive() };

/** `startedAt`: when the attempt started (ISO 8601); the event itself is sent up to STARTED_EVENT_AFTER_MS later. */
export const JobStartedEvent = envelope('job.started', z.object({ ...workerBase, startedAt: z.string().datetime({ offset: true }).optional() }));
export const JobProgressEvent = envelope(
  'job.progress',
  z.object({ ...workerBase, progress: z.number().int().min(0).max(100), stage: z.string().optional() }),
);
/** The result: stored under `key`, or small enough to travel in the event as `body` (the exact bytes, JSON text). */
export const CompletedResult = ResultRef.extend({ body: z.string().optional() }).refine((r) => (r.key === undefined) !== (r.body === undefined), {
  message: 'a result has a storage key or an inline body, not both',
});
/**
 * When the attempt started (ISO 8601). A worker announces `job.started` only for an attempt that
 * runs longer than STARTED_EVENT_AFTER_MS; a shorter one ends with this on its last event.
 */
const attemptStartedAt = { startedAt: z.string().datetime({ offset: true }).optional() };
export const JobCompletedEvent = envelope('job.completed', z.object({ ...workerBase, ...attemptStartedAt, result: CompletedResult }));
export const JobFailedEvent = envelope(
  'job.failed',
  z.object({ ...workerBase, ...attemptStartedAt, error: JobError, willRetry: z.boolean() }),
);

/** What workers report about a job, in the order they happen. */
export const WorkerEvent = z.discriminatedUnion('type', [JobStartedEvent, JobProgressEvent, JobCompletedEvent, JobFailedEvent]);
export type WorkerEvent = z.infer<typeof WorkerEvent>;
export type WorkerEventType = WorkerEvent['type'];

/** job-tracker → anyone listening (SSE): a job's status changed. Core NATS, not stored. */
export const JobStatusChanged = z.object({
  jobId: z.string(),
  tenant: z.string(),
  status: z.enum(['queued', 'processing', 'completed', 'failed', 'canceled']),
  progress: z.number(),
  attempts: z.number(),
  at: z.string(),
  /** The transition's sequence number when the status changed; null for progress only. */
  seq: z.number().nullable(),
});
export type JobStatusChanged = z.infer<typeof JobStatusChanged>;

/** job-tracker → notifier: a job ended and someone asked to be told. */
export const JobFinishedNotification = envelope(
  'job.finished',
  z.object({
    jobId: z.string().uuid(),
    tenant: z.string(),
    type: z.string(),
    status: z.enum(['completed', 'failed', 'canceled']),
    error: JobError.nullable(),
    result: ResultRef.nullable(),
    finishedAt: z.string(),
    notify: StoredNotifyTargets,
    /** The tenant's enabled endpoints subscribed to this event, when the job ended. */
    endpoints: z.array(z.object({ id: z.string().uuid(), url: z.string() })).default([]),
    /** 0 for the first announcement; n for the n-th manual redelivery (same webhook-id, new sends). */
    redelivery: z.number().int().nonnegative().default(0),
    /**
     * The reconciler's re-announcement (a delivery went missing): the notifier queues every target
     * rather than sending any first attempt itself, so targets still in their retry schedule keep
     * their queue job (same BullMQ id) and get no extra attempt.
     */
    reannounced: z.boolean().optional(),
  }),
);
export type JobFinishedNotification = z.infer<typeof JobFinishedNotification>;

export type { JobStatus };

/** notifier → job-tracker: one webhook attempt, for the delivery log. */
export const WebhookAttempted = envelope(
  'webhook.attempted',
  z.object({
    jobId: z.string().uuid(),
    tenant: z.string(),
    messageId: z.string(),
    url: z.string(),
    /** The registered endpoint delivered to; null for the job's own `notify.webhook`. */
    endpointId: z.string().uuid().nullable().default(null),
    attempt: z.number().int().positive(),
    statusCode: z.number().int().nullable(),
    latencyMs: z.number().int().nonnegative(),
    error: z.string().nullable(),
    /**
     * `disabled`: nothing was sent — the endpoint was disabled or deleted before this attempt, or
     * the receiver answered 410 to another send of this message (a redelivery, the original's
     * retry) after this one was queued.
     */
    outcome: z.enum(['delivered', 'failed', 'gone', 'refused', 'disabled']),
    /** No further attempt will follow (delivered, gone, refused, or out of attempts). */
    final: z.boolean(),
  }),
);
export type WebhookAttempted = z.infer<typeof WebhookAttempted>;

/** The most attempts one `webhook.attempts` message carries. */
export const WEBHOOK_ATTEMPTS_PER_MESSAGE = 100;

/**
 * notifier → job-tracker: the attempts that ended in one turn of the notifier's event loop, as
 * one message (one JetStream store, delivery and ack for them all instead of one each). Each
 * attempt keeps its own id, which the delivery log deduplicates on.
 */
export const WebhookAttempts = envelope('webhook.attempts', z.object({ attempts: z.array(WebhookAttempted).min(1).max(WEBHOOK_ATTEMPTS_PER_MESSAGE) }));
export type WebhookAttempts = z.infer<typeof WebhookAttempts>;

/** What the delivery-log stream holds: batches, and single attempts (from notifiers before batches). */
export const DeliveryLogMessage = z.discriminatedUnion('type', [WebhookAttempts, WebhookAttempted]);
export type DeliveryLogMessage = z.infer<typeof DeliveryLogMessage>;

export interface DeliveryView {
  message_id: string;
  job_id: string;
  /** The registered endpoint, or null for the job's own `notify.webhook`. */
  endpoint_id: string | null;
  url: string;
  attempt: number;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  outcome: string;
  final: boolean;
  at: string;
}
