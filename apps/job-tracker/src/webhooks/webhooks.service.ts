import { Inject, Injectable, Logger } from '@nestjs/common';
import { CreateRequestContext, EntityManager } from '@mikro-orm/postgresql';
import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  CreateEndpointRequest,
  EndpointRefRequest,
  EndpointView,
  ErrorCode,
  MAX_WEBHOOK_ENDPOINTS,
  SecretView,
  SigningSecretsReply,
  SigningSecretsRequest,
  UpdateEndpointRequest,
  WEBHOOK_EVENTS,
  WebhookAttempted,
  WebhookEventType,
  WebhookSettingsRequest,
  WebhookSettingsView,
  Subjects,
  WebhooksChanged,
  uuidv7,
} from '@jobdesk/contracts';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { EventPublisher, RpcFailure, SUBJECTS } from '@jobdesk/messaging';
import { Metrics } from '@jobdesk/observability';
import { WebhookEndpoint } from './webhook-endpoint.entity';

/** A fresh Standard Webhooks secret: `whsec_` + 256 random bits in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** An endpoint the delivery of one event should go to. */
export interface EndpointTarget {
  id: string;
  url: string;
}

/** Why an endpoint was just turned off, for telling its tenant. */
export interface EndpointDisabled {
  tenant: string;
  endpointId: string;
  url: string;
  reason: 'gone' | 'failing';
}

const TARGET_CACHE_MS = 2_000;

/**
 * Per-tenant webhooks, owned by job-tracker: registered endpoints (own secret, event filter,
 * health), the tenant's secret for per-job callbacks, and secret rotation with a day of grace
 * during which deliveries carry both signatures.
 */
@Injectable()
export class WebhooksService {
  private readonly log = new Logger('webhooks');
  /** Enabled endpoints per tenant, briefly cached: every finished job asks. */
  private readonly targets = new Map<string, { at: number; endpoints: Array<EndpointTarget & { events: string[] }> }>();
  private readonly disabled;

  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: EventPublisher,
    @Inject(SUBJECTS) private readonly subjects: Subjects,
    metrics: Metrics,
  ) {
    this.disabled = metrics.counter('jobdesk_webhook_endpoints_disabled_total', 'Webhook endpoints turned off by jobdesk', ['reason']);
  }

  // ---- endpoints --------------------------------------------------------------------------

  @CreateRequestContext()
  async createEndpoint(req: CreateEndpointRequest): Promise<EndpointView & { secret: string }> {
    const count = await this.em.count(WebhookEndpoint, { tenant: req.tenant });
    if (count >= MAX_WEBHOOK_ENDPOINTS) throw new RpcFailure(ErrorCode.ValidationFailed, `at most ${MAX_WEBHOOK_ENDPOINTS} endpoints per tenant; delete one first`, 409);
    const ep = this.em.create(WebhookEndpoint, {
      id: uuidv7(),
      tenant: req.tenant,
      url: req.url,
      description: req.description ?? null,
      events: req.events ?? [...WEBHOOK_EVENTS],
      secret: newWebhookSecret(),
    });
    await this.em.persist(ep).flush();
    this.changed(req.tenant);
    return { ...toEndpointView(ep), secret: ep.secret };
  }

  @CreateRequestContext()
  async listEndpoints(req: { tenant: string }): Promise<EndpointView[]> {
    const rows = await this.em.find(WebhookEndpoint, { tenant: req.tenant }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return rows.map(toEndpointView);
  }

  @CreateRequestContext()
  async getEndpoint(req: EndpointRefRequest): Promise<EndpointView & { secret: string }> {
    const ep = await this.owned(req);
    return { ...toEndpointView(ep), secret: ep.secret };
  }

  @CreateRequestContext()
  async updateEndpoint(req: UpdateEndpointRequest): Promise<EndpointView> {
    const ep = await this.owned(req);
    const c = req.changes;
    if (c.url !== undefined) ep.url = c.url;
    if (c.events !== undefined) ep.events = c.events;
    if (c.description !== undefined) ep.description = c.description;
    if (c.enabled === true && !ep.enabled) Object.assign(ep, { enabled: true, disabledReason: null, disabledAt: null, failingSince: null });
    if (c.enabled === false && ep.enabled) Object.assign(ep, { enabled: false, disabledReason: 'manual', disabledAt: new Date() });
    await this.em.flush();
    this.changed(req.tenant);
    return toEndpointView(ep);
  }

  @CreateRequestContext()
  async deleteEndpoint(req: EndpointRefRequest): Promise<{ deleted: true }> {
    const ep = await this.owned(req);
    await this.em.remove(ep).flush();
    this.changed(req.tenant);
    return { deleted: true };
  }

  @CreateRequestContext()
  async rotateEndpointSecret(req: EndpointRefRequest): Promise<SecretView> {
    const ep = await this.owned(req);
    ep.previousSecret = ep.secret;
    ep.previousUntil = new Date(Date.now() + this.config.WEBHOOK_SECRET_GRACE_S * 1000);
    ep.secret = newWebhookSecret();
    await this.em.flush();
    this.changed(req.tenant);
    return { secret: ep.secret, previous_valid_until: ep.previousUntil.toISOString() };
  }

  /** The tenant's enabled endpoints that want this event (cached for a moment). */
  async targetsFor(tenant: string, event: WebhookEventType): Promise<EndpointTarget[]> {
    let hit = this.targets.get(tenant);
    if (!hit || Date.now() - hit.at > TARGET_CACHE_MS) {
      const rows = await this.em.fork().find(WebhookEndpoint, { tenant, enabled: true }, { fields: ['id', 'url', 'events'], orderBy: { createdAt: 'asc' } });
      hit = { at: Date.now(), endpoints: rows.map((r) => ({ id: r.id, url: r.url, events: r.events })) };
      this.targets.set(tenant, hit);
      if (this.targets.size > 10_000) this.targets.delete(this.targets.keys().next().value!);
    }
    return hit.endpoints.filter((e) => e.events.includes(event)).map(({ id, url }) => ({ id, url }));
  }

  /**
   * An endpoint's health after one attempt: a success clears `failing_since`; a 410 turns it off
   * at once; failures with no success for WEBHOOK_DISABLE_AFTER_S turn it off. The attempt's own
   * time is the clock, so a late event cannot disable an endpoint that has since recovered.
   * Returns what was turned off, once (the UPDATE that flips `enabled` is the only one that sees it).
   */
  @CreateRequestContext()
  async recordAttempt(e: WebhookAttempted): Promise<EndpointDisabled | null> {
    const d = e.data;
    if (!d.endpointId || d.outcome === 'disabled') return null;
    const conn = this.em.getConnection();
    const at = new Date(e.occurredAt);
    if (d.outcome === 'delivered') {
      await conn.execute(`update webhook_endpoint set failing_since = null where id = ? and failing_since is not null and failing_since <= ?`, [d.endpointId, at]);
      return null;
    }
    let reason: EndpointDisabled['reason'] | null = d.outcome === 'gone' ? 'gone' : null;
    if (!reason) {
      const [row] = await conn.execute<Array<{ failing_since: Date }>>(
        `update webhook_endpoint set failing_since = least(coalesce(failing_since, ?), ?) where id = ? returning failing_since`,
        [at, at, d.endpointId],
      );
      if (row && at.getTime() - new Date(row.failing_since).getTime() >= this.config.WEBHOOK_DISABLE_AFTER_S * 1000) reason = 'failing';
    }
    if (!reason) return null;
    const [off] = await conn.execute<Array<{ tenant: string; url: string }>>(
      `update webhook_endpoint set enabled = false, disabled_reason = ?, disabled_at = now(), updated_at = now() where id = ? and enabled returning tenant, url`,
      [reason, d.endpointId],
    );
    if (!off) return null;
    this.changed(off.tenant);
    this.disabled.inc({ reason });
    this.log.warn(`webhook endpoint ${d.endpointId} of ${off.tenant} disabled: ${reason === 'gone' ? 'the receiver answered 410 Gone' : 'no successful delivery for too long'}`);
    return { tenant: off.tenant, endpointId: d.endpointId, url: off.url, reason };
  }

  // ---- the tenant's secret (per-job callbacks) and settings ----------------------------------

  @CreateRequestContext()
  async getSecret(req: { tenant: string }): Promise<SecretView> {
    const s = await this.tenantSecrets(req.tenant);
    return { secret: s.current, previous_valid_until: s.previousUntil?.toISOString() ?? null };
  }

  @CreateRequestContext()
  async rotateSecret(req: { tenant: string }): Promise<SecretView> {
    await this.tenantSecrets(req.tenant);
    const [row] = await this.em.getConnection().execute<Array<{ webhook_secret: string; webhook_previous_until: Date }>>(
      `update tenant_settings set webhook_previous_secret = webhook_secret, webhook_previous_until = now() + interval '1 second' * ?,
         webhook_secret = ?, updated_at = now() where tenant = ? returning webhook_secret, webhook_previous_until`,
      [this.config.WEBHOOK_SECRET_GRACE_S, newWebhookSecret(), req.tenant],
    );
    this.changed(req.tenant);
    return { secret: row.webhook_secret, previous_valid_until: new Date(row.webhook_previous_until).toISOString() };
  }

  @CreateRequestContext()
  async getSettings(req: { tenant: string }): Promise<WebhookSettingsView> {
    const [row] = await this.em.getConnection().execute<Array<{ alert_email: string | null }>>(`select alert_email from tenant_settings where tenant = ?`, [req.tenant]);
    return { alert_email: row?.alert_email ?? null };
  }

  @CreateRequestContext()
  async putSettings(req: WebhookSettingsRequest): Promise<WebhookSettingsView> {
    await this.em.getConnection().execute(
      `insert into tenant_settings (tenant, alert_email, updated_at) values (?, ?, now())
       on conflict (tenant) do update set alert_email = excluded.alert_email, updated_at = now()`,
      [req.tenant, req.alert_email],
    );
    return { alert_email: req.alert_email };
  }

  /** notifier: what to sign a delivery with, and whether its endpoint still wants it. */
  @CreateRequestContext()
  async signingSecrets(req: SigningSecretsRequest): Promise<SigningSecretsReply> {
    if (req.endpointId) {
      const ep = await this.em.findOne(WebhookEndpoint, { id: req.endpointId, tenant: req.tenant });
      if (!ep) return { secrets: [], enabled: false };
      return { secrets: withPrevious(ep.secret, ep.previousSecret, ep.previousUntil), enabled: ep.enabled };
    }
    const s = await this.tenantSecrets(req.tenant);
    return { secrets: withPrevious(s.current, s.previous, s.previousUntil), enabled: true };
  }

  /** The tenant's signing secret, made on first use. */
  private async tenantSecrets(tenant: string): Promise<{ current: string; previous: string | null; previousUntil: Date | null }> {
    const conn = this.em.getConnection();
    const read = async () =>
      (await conn.execute<Array<{ webhook_secret: string | null; webhook_previous_secret: string | null; webhook_previous_until: Date | null }>>(
        `select webhook_secret, webhook_previous_secret, webhook_previous_until from tenant_settings where tenant = ?`,
        [tenant],
      ))[0];
    let row = await read();
    if (!row?.webhook_secret) {
      // Two callers racing both insert-or-fill; coalesce keeps whichever secret landed first.
      await conn.execute(
        `insert into tenant_settings (tenant, webhook_secret, updated_at) values (?, ?, now())
         on conflict (tenant) do update set webhook_secret = coalesce(tenant_settings.webhook_secret, excluded.webhook_secret)`,
        [tenant, newWebhookSecret()],
      );
      row = await read();
    }
    const until = row!.webhook_previous_until ? new Date(row!.webhook_previous_until) : null;
    return { current: row!.webhook_secret!, previous: row!.webhook_previous_secret, previousUntil: until && until > new Date() ? until : null };
  }

  /** Drops this process's cache of the tenant and tells the notifiers to drop theirs. */
  private changed(tenant: string): void {
    this.targets.delete(tenant);
    const msg: WebhooksChanged = { tenant };
    this.events.broadcast(this.subjects.webhooks.changed, msg);
  }

  private async owned(req: EndpointRefRequest): Promise<WebhookEndpoint> {
    const ep = z.string().uuid().safeParse(req.id).success ? await this.em.findOne(WebhookEndpoint, { id: req.id, tenant: req.tenant }) : null;
    if (!ep) throw new RpcFailure(ErrorCode.NotFound, `no webhook endpoint ${req.id}`, 404);
    return ep;
  }
}

function withPrevious(current: string, previous: string | null, until: Date | null): string[] {
  return previous && until && until > new Date() ? [current, previous] : [current];
}

export function toEndpointView(ep: WebhookEndpoint): EndpointView {
  return {
    id: ep.id,
    url: ep.url,
    description: ep.description,
    events: ep.events,
    enabled: ep.enabled,
    disabled_reason: ep.disabledReason,
    disabled_at: ep.disabledAt?.toISOString() ?? null,
    failing_since: ep.failingSince?.toISOString() ?? null,
    created_at: ep.createdAt.toISOString(),
    updated_at: ep.updatedAt.toISOString(),
  };
}
