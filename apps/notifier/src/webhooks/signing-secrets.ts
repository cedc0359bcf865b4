import { Inject, Injectable } from '@nestjs/common';
import { SigningSecretsReply, SigningSecretsRequest, Subjects } from '@jobdesk/contracts';
import { RpcClient, SUBJECTS } from '@jobdesk/messaging';

const TTL_MS = 5_000;

/**
 * The secrets a delivery is signed with, from job-tracker (which owns them), cached for a few
 * seconds: a burst of deliveries for one tenant asks once. A rotation reaches deliveries within
 * the TTL; until then the old secret still verifies (it stays valid for a day).
 */
@Injectable()
export class SigningSecrets {
  private readonly cache = new Map<string, { at: number; reply: Promise<SigningSecretsReply> }>();

  constructor(
    private readonly rpc: RpcClient,
    @Inject(SUBJECTS) private readonly s: Subjects,
  ) {}

  for(req: SigningSecretsRequest): Promise<SigningSecretsReply> {
    const key = `${req.tenant}\u0000${req.endpointId ?? ''}`;
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.reply;
    const reply = this.rpc.request<SigningSecretsReply>(this.s.webhooks.signingSecrets, req);
    this.cache.set(key, { at: Date.now(), reply });
    // A failed lookup is not cached: the attempt fails and retries on the schedule.
    reply.catch(() => this.cache.delete(key));
    if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value!);
    return reply;
  }
}
