import { createHmac } from 'node:crypto';

/**
 * Standard Webhooks (standardwebhooks.com) signature: HMAC-SHA256 over
 * `${id}.${timestamp}.${body}` with the base64 secret after `whsec_`, sent as `v1,<base64>`.
 */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const mac = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/**
 * The headers of one send. Several secrets (the current one and, for a day after a rotation,
 * the previous one) give several space-separated signatures; a receiver accepts any that verifies.
 */
export function webhookHeaders(secrets: string | string[], id: string, body: string, now = Date.now()): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return {
    'content-type': 'application/json',
    'user-agent': 'jobdesk-webhooks/1',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': [secrets]
      .flat()
      .map((secret) => signWebhook(secret, id, timestamp, body))
      .join(' '),
  };
}
