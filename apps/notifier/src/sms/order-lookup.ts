import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Agent, fetch } from 'undici';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { BlockedAddressError, SsrfGuard } from '../webhooks/ssrf-guard';

export type OrderStatus = { status: string } | { error: 'not_found' | 'unavailable' };

/** Port: ask a tenant's order endpoint for an order's status. */
export abstract class OrderLookup {
  /** Throws when the endpoint may answer later (5xx, 429, network): the job is retried. */
  abstract status(urlTemplate: string, order: string, statusField: string, signal?: AbortSignal): Promise<OrderStatus>;
}

/**
 * GET the tenant's URL with `{order}` filled in, guarded like webhooks: public addresses only
 * (checked at connect time, WEBHOOK_ALLOWED_HOSTS for dev and tests), no redirects, a timeout,
 * a small body.
 */
@Injectable()
export class HttpOrderLookup extends OrderLookup implements OnApplicationShutdown {
  private readonly guard: SsrfGuard;
  private readonly agent: Agent;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
    this.guard = new SsrfGuard(config.WEBHOOK_ALLOWED_HOSTS);
    this.agent = new Agent({ connect: { lookup: this.guard.guardedLookup as never, timeout: config.WEBHOOK_TIMEOUT_MS } });
  }

  async status(urlTemplate: string, order: string, statusField: string, signal?: AbortSignal): Promise<OrderStatus> {
    const url = urlTemplate.replace(/\{order\}|%7Border%7D/gi, encodeURIComponent(order));
    let res;
    try {
      this.guard.checkUrl(url);
      const timeout = AbortSignal.timeout(this.config.WEBHOOK_TIMEOUT_MS);
      res = await fetch(url, { dispatcher: this.agent, headers: { accept: 'application/json', 'user-agent': 'jobdesk-sms/1' }, redirect: 'manual', signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    } catch (e) {
      const err = e as Error & { cause?: Error };
      if (e instanceof BlockedAddressError || err.cause instanceof BlockedAddressError) return { error: 'unavailable' };
      throw new Error(`order endpoint unreachable: ${err.cause?.message ?? err.message}`);
    }
    if (res.status === 404) {
      await res.body?.cancel().catch(() => undefined);
      return { error: 'not_found' };
    }
    if (res.status === 429 || res.status >= 500) {
      await res.body?.cancel().catch(() => undefined);
      throw new Error(`order endpoint answered ${res.status}`);
    }
    const text = res.ok ? (await res.text()).slice(0, 65_536) : '';
    try {
      const value = (JSON.parse(text) as Record<string, unknown>)[statusField];
      if (typeof value === 'string' && value.trim()) return { status: value.trim().slice(0, 200) };
    } catch {
      /* not JSON */
    }
    return { error: 'unavailable' };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.agent.close();
  }
}
