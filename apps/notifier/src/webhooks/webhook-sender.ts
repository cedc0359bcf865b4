import { Inject, Injectable } from '@nestjs/common';
import { WebhookDelivery } from '@jobdesk/contracts';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { webhookHeaders } from './webhook-signature';

export interface DeliveryOutcome {
  ok: boolean;
  /** No point in retrying (410 Gone: the receiver asked us to stop). */
  final: boolean;
  status?: number;
  error?: string;
  ms: number;
}

/** Port: one HTTP attempt at a webhook. */
export abstract class WebhookClient {
  abstract send(d: WebhookDelivery): Promise<DeliveryOutcome>;
}

@Injectable()
export class FetchWebhookClient extends WebhookClient {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
  }

  async send(d: WebhookDelivery): Promise<DeliveryOutcome> {
    const started = Date.now();
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers: webhookHeaders(this.config.WEBHOOK_SECRET, d.messageId, d.body),
        body: d.body,
        // A redirect could point anywhere (an internal address): it counts as a failure.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.config.WEBHOOK_TIMEOUT_MS),
      });
      // We do not read what receivers answer: drop the body without buffering it.
      await res.body?.cancel().catch(() => undefined);
      const ok = res.status >= 200 && res.status < 300;
      return { ok, final: res.status === 410, status: res.status, ms: Date.now() - started, error: ok ? undefined : `HTTP ${res.status}` };
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      return { ok: false, final: false, error: err.cause?.code ?? err.message, ms: Date.now() - started };
    }
  }
}
