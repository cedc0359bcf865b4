import { z } from 'zod';
import { WebhookUrl } from './notify';

/**
 * Per-tenant webhooks: registered endpoints (each with its own `whsec_` secret and event filter)
 * and the tenant's signing secret for per-job `notify.webhook` callbacks. The gateway validates
 * the API bodies with these schemas; job-tracker owns the rows; notifier asks it for secrets.
 */

/** Events an endpoint can subscribe to: how a job ended. */
export const WEBHOOK_EVENTS = ['job.completed', 'job.failed', 'job.canceled'] as const;
export const WebhookEventType = z.enum(WEBHOOK_EVENTS);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

/** At most this many endpoints per tenant. */
export const MAX_WEBHOOK_ENDPOINTS = 20;

const EndpointUrl = WebhookUrl;
const Events = z.array(WebhookEventType).min(1).max(WEBHOOK_EVENTS.length).refine((e) => new Set(e).size === e.length, { message: 'events must not repeat' });
const Description = z.string().max(200);

/** `POST /v1/webhooks/endpoints` */
export const CreateEndpointBody = z
  .object({
    url: EndpointUrl,
    /** Default: every event. */
    events: Events.optional(),
    description: Description.optional(),
  })
  .strict();
export type CreateEndpointBody = z.infer<typeof CreateEndpointBody>;

/** `PATCH /v1/webhooks/endpoints/{id}`: `enabled: true` turns a disabled endpoint back on. */
export const UpdateEndpointBody = z
  .object({
    url: EndpointUrl.optional(),
    events: Events.optional(),
    description: Description.optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change: send url, events, description or enabled' });
export type UpdateEndpointBody = z.infer<typeof UpdateEndpointBody>;

/** `PUT /v1/webhooks/settings`: where the tenant is told that an endpoint was disabled. */
export const WebhookSettingsBody = z.object({ alert_email: z.string().email().max(320).nullable() }).strict();
export type WebhookSettingsBody = z.infer<typeof WebhookSettingsBody>;

export interface EndpointView {
  id: string;
  url: string;
  description: string | null;
  events: WebhookEventType[];
  enabled: boolean;
  /** `gone` (the receiver answered 410), `failing` (no success for days) or `manual`. */
  disabled_reason: string | null;
  disabled_at: string | null;
  /** First failed attempt since the last success; null while healthy. */
  failing_since: string | null;
  created_at: string;
  updated_at: string;
}

/** A signing secret and, for a day after a rotation, when the previous one stops being sent. */
export interface SecretView {
  secret: string;
  previous_valid_until: string | null;
}

export interface WebhookSettingsView {
  alert_email: string | null;
}

// ---- gateway / notifier → job-tracker (NATS request-reply) -------------------------------------

export const TenantRequest = z.object({ tenant: z.string().min(1) });
export type TenantRequest = z.infer<typeof TenantRequest>;

export const EndpointRefRequest = z.object({ tenant: z.string().min(1), id: z.string() });
export type EndpointRefRequest = z.infer<typeof EndpointRefRequest>;

export const CreateEndpointRequest = CreateEndpointBody.extend({ tenant: z.string().min(1) });
export type CreateEndpointRequest = z.infer<typeof CreateEndpointRequest>;

export const UpdateEndpointRequest = z.object({ tenant: z.string().min(1), id: z.string(), changes: UpdateEndpointBody });
export type UpdateEndpointRequest = z.infer<typeof UpdateEndpointRequest>;

export const WebhookSettingsRequest = WebhookSettingsBody.extend({ tenant: z.string().min(1) });
export type WebhookSettingsRequest = z.infer<typeof WebhookSettingsRequest>;

export const EndpointDeliveriesRequest = EndpointRefRequest.extend({ limit: z.number().int().min(1).max(500).default(100) });
export type EndpointDeliveriesRequest = z.infer<typeof EndpointDeliveriesRequest>;

/** notifier: the secrets to sign one delivery with (the tenant's, or an endpoint's). */
export const SigningSecretsRequest = z.object({ tenant: z.string().min(1), endpointId: z.string().uuid().optional() });
export type SigningSecretsRequest = z.infer<typeof SigningSecretsRequest>;
/** job-tracker → core NATS: a tenant's secrets or endpoints changed; caches of them drop the tenant. */
export const WebhooksChanged = z.object({ tenant: z.string() });
export type WebhooksChanged = z.infer<typeof WebhooksChanged>;

export interface SigningSecretsReply {
  /** Current first; the previous one while its day of grace lasts (both signatures are sent). */
  secrets: string[];
  /** false: the endpoint was disabled or deleted since the delivery was queued; do not send. */
  enabled: boolean;
}
