import { WebhookAttempted } from '@jobdesk/contracts';

/** A delivered first attempt of webhook message `msg_x` for `jobId`, as the notifier reports it. */
export function webhookAttempted(id: string, jobId = '0190a0a0-0000-7000-8000-0000000000f1'): WebhookAttempted {
  return WebhookAttempted.parse({
    id,
    type: 'webhook.attempted',
    version: 1,
    occurredAt: new Date().toISOString(),
    correlationId: 'msg_x',
    data: { jobId, tenant: 'acme', messageId: 'msg_x', url: 'https://h.example.com/', attempt: 1, statusCode: 204, latencyMs: 1, error: null, outcome: 'delivered', final: true },
  });
}
