import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Agent, fetch } from 'undici';
import { WebhookDelivery } from '@jobdesk/contracts';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { webhookHeaders } from './webhook-signature';
import { BlockedAddressError, SsrfGuard } from './ssrf-guard';

export interface DeliveryOutcome {
  ok: boolean;
  /** No point in retrying (410 Gone: the receiver asked us to stop; a forbidden address). */
  final: boolean;
  status?: number;
  error?: string;
  ms: number;
}

/** Port: one HTTP attempt at a webhook. */
export abstract class WebhookClient {
  /** `secrets`: each gives one signature (the current secret, and the previous one during a rotation). */
  abstract send(d: WebhookDelivery, secrets: string[]): Promise<DeliveryOutcome>;
}

@Injectable()
export class FetchWebhookClient extends WebhookClient implements OnApplicationShutdown {
  private readonly guard: SsrfGuard;
  private readonly agent: Agent;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
    this.guard = new SsrfGuard(config.WEBHOOK_ALLOWED_HOSTS);
    // Every connection resolves through the guard: no private address, even after DNS rebinding.
    this.agent = new Agent({ connect: { lookup: this.guard.guardedLookup as never, timeout: config.WEBHOOK_TIMEOUT_MS } });
  }

  async send(d: WebhookDelivery, secrets: string[]): Promise<DeliveryOutcome> {
    const started = Date.now();
    try {
      this.guard.checkUrl(d.url);
      const res = await fetch(d.url, {
        dispatcher: this.agent,
        method: 'POST',
        headers: webhookHeaders(secrets, d.messageId, d.body),
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
      const err = e as Error & { cause?: Error & { code?: string } };
      const blocked = e instanceof BlockedAddressError || err.cause instanceof BlockedAddressError;
      if (blocked) return { ok: false, final: true, error: `refused: ${(err.cause ?? err).message}`, ms: Date.now() - started };
      return { ok: false, final: false, error: err.cause?.code ?? err.message, ms: Date.now() - started };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.agent.close();
  }
}
