import { z } from 'zod';
import { PhoneNumber } from './job-types';

const HttpUrl = z.url({ protocol: /^https?$/ }).max(2048);

/**
 * A URL jobdesk POSTs to (job callback, endpoint, on-call webhook). No `user:password@`: the
 * notifier refuses to send to one, and the URL is kept in the job, the delivery log and logs.
 */
export const WebhookUrl = HttpUrl.refine(
  (u) => {
    try {
      const url = new URL(u);
      return !url.username && !url.password;
    } catch {
      return true; // not a URL: z.url's to refuse
    }
  },
  { message: 'credentials (user:password@) are not allowed in a webhook URL; receivers authenticate jobdesk by its webhook-signature' },
);

const targets = (webhook: z.ZodType<string>) =>
  z
    .object({
      webhook: webhook.optional(),
      email: z.string().email().max(320).optional(),
      sms: PhoneNumber.optional(),
    })
    .strict();

/** Who to tell when a job ends. */
export const NotifyTargets = targets(WebhookUrl);
export type NotifyTargets = z.infer<typeof NotifyTargets>;

/** The same, read back from a stored job: one made before credentials were refused still notifies its email and sms. */
export const StoredNotifyTargets = targets(HttpUrl);

export function hasTargets(n: NotifyTargets | null | undefined): n is NotifyTargets {
  return !!n && (!!n.webhook || !!n.email || !!n.sms);
}

/** The body POSTed to a webhook receiver (Standard Webhooks style: type, timestamp, data). */
export interface WebhookPayload {
  type: 'job.completed' | 'job.failed' | 'job.canceled';
  timestamp: string;
  data: {
    id: string;
    type: string;
    status: string;
    error: { code: string; message: string } | null;
    result_url: string | null;
    finished_at: string;
  };
}

/** notifier's own queue (`webhook.deliver`): one delivery of one event to one URL. */
export const WebhookDelivery = z.object({
  /** Same on every retry: the receiver's deduplication key (`webhook-id`). */
  messageId: z.string(),
  tenant: z.string(),
  jobId: z.string(),
  url: z.string().url(),
  /** A registered endpoint (signed with its own secret); absent for the job's `notify.webhook`. */
  endpointId: z.string().uuid().optional(),
  /** The exact body, serialised once, so every retry signs and sends the same bytes. */
  body: z.string(),
  /** W3C trace context of the job's end (the worker's event), for the notifier's log lines. */
  traceparent: z.string().max(55).optional(),
  /**
   * Attempts made before this queue job (1 when the fan-out sent the first attempt itself): its
   * attempts are numbered after them, and all of them together stop at WEBHOOK_ATTEMPTS.
   */
  attemptsBefore: z.number().int().nonnegative().optional(),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

/**
 * Which ending of a job a notification is about: a job retried by hand ends again, and each
 * ending is notified on its own. Its finished_at in milliseconds (one ending, one finished_at).
 */
export function jobEnding(finishedAt: Date | string): string {
  return String(new Date(finishedAt).getTime());
}

/** The `webhook-id` of one ending of a job: the same for every target, retry and redelivery. */
export function webhookMessageId(jobId: string, status: string, finishedAt: Date | string): string {
  return `msg_${jobId.replace(/-/g, '')}_${status}_${jobEnding(finishedAt)}`;
}

/** notifier's BullMQ id for one delivery of a message to one target (the reconciler looks it up). */
export function webhookDeliveryQueueId(messageId: string, endpointId?: string | null): string {
  return endpointId ? `${messageId}-ep-${endpointId}` : `${messageId}-webhook`;
}
