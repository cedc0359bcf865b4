import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { NatsConnection, Subscription } from 'nats';
import { SigningSecretsReply, SigningSecretsRequest, Subjects, WebhooksChanged } from '@jobdesk/contracts';
import { NATS_CONNECTION, RpcClient, RpcFailure, SUBJECTS } from '@jobdesk/messaging';
import { setTimeout as sleep } from 'node:timers/promises';

const TTL_MS = 5_000;
/**
 * How long one lookup keeps trying while job-tracker does not answer (a blip, a restart); after
 * that the deliveries waiting for it pause (webhook-deliver.processor) without using an attempt.
 */
const UNAVAILABLE_RETRY_MS = 1_000;

/**
 * The secrets a delivery is signed with, from job-tracker (which owns them), cached for a few
 * seconds so a burst of deliveries for one tenant asks once. job-tracker broadcasts every
 * rotation and endpoint change, and the tenant's entries are dropped at once; should that
 * message be lost, the TTL bounds the staleness (and the old secret still verifies for a day).
 */
@Injectable()
export class SigningSecrets implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly cache = new Map<string, { at: number; tenant: string; reply: Promise<SigningSecretsReply> }>();
  private sub?: Subscription;

  constructor(
    private readonly rpc: RpcClient,
    @Inject(SUBJECTS) private readonly s: Subjects,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  onApplicationBootstrap(): void {
    this.sub = this.nc.subscribe(this.s.webhooks.changed, {
      callback: (err, msg) => {
        if (err) return;
        try {
          const changed = WebhooksChanged.safeParse(msg.json());
          if (changed.success) this.forget(changed.data.tenant);
        } catch {
          /* not JSON: not ours */
        }
      },
    });
  }

  onModuleDestroy(): void {
    this.sub?.unsubscribe();
  }

  for(req: SigningSecretsRequest): Promise<SigningSecretsReply> {
    const key = `${req.tenant}\u0000${req.endpointId ?? ''}`;
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.reply;
    const reply = this.lookup(req);
    this.cache.set(key, { at: Date.now(), tenant: req.tenant, reply });
    // A failed lookup is not cached: the attempt fails and retries on the schedule.
    reply.catch(() => this.cache.delete(key));
    if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value!);
    return reply;
  }

  private async lookup(req: SigningSecretsRequest): Promise<SigningSecretsReply> {
    const until = Date.now() + UNAVAILABLE_RETRY_MS;
    for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
      try {
        return await this.rpc.request<SigningSecretsReply>(this.s.webhooks.signingSecrets, req);
      } catch (e) {
        if (!(e instanceof RpcFailure && e.status === 503) || Date.now() + delay > until) throw e;
      }
      await sleep(delay);
    }
  }

  forget(tenant: string): void {
    for (const [key, entry] of this.cache) if (entry.tenant === tenant) this.cache.delete(key);
  }
}
