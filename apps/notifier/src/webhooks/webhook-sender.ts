import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Agent, request } from 'undici';
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
    // One timer for the whole attempt (connect, headers and body); cheaper than AbortSignal.timeout.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new WebhookTimeoutError(this.config.WEBHOOK_TIMEOUT_MS)), this.config.WEBHOOK_TIMEOUT_MS);
    try {
      this.guard.checkUrl(d.url);
      // undici's request(), not fetch(): the same HTTP/1.1 on the same keep-alive Agent without
      // the WHATWG Request/Response/stream layers (which cost more CPU than the send itself).
      // It follows no redirect (a redirect could point anywhere, an internal address): a 3xx is
      // a failure like any other non-2xx.
      const res = await request(d.url, {
        dispatcher: this.agent,
        method: 'POST',
        headers: webhookHeaders(secrets, d.messageId, d.body),
        body: d.body,
        signal: abort.signal,
      });
      // We do not read what receivers answer: drain a small body (keeps the connection for the
      // next delivery), a large one closes the connection rather than being buffered.
      await res.body.dump().catch(() => undefined);
      const status = res.statusCode;
      const ok = status >= 200 && status < 300;
      return { ok, final: status === 410, status, ms: Date.now() - started, error: ok ? undefined : `HTTP ${status}` };
    } catch (e) {
      const err = e as Error & { code?: string; cause?: Error & { code?: string } };
      const blocked = e instanceof BlockedAddressError || err.cause instanceof BlockedAddressError;
      if (blocked) return { ok: false, final: true, error: `refused: ${(err.cause instanceof BlockedAddressError ? err.cause : err).message}`, ms: Date.now() - started };
      const error = abort.signal.aborted ? (abort.signal.reason as Error).message : err.code ?? err.cause?.code ?? err.message;
      return { ok: false, final: false, error, ms: Date.now() - started };
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.agent.close();
  }
}

class WebhookTimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}
