import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { ErrorCode } from '@jobdesk/contracts';
import { AddressPolicy } from '@jobdesk/net-guard';
import { ApiProblem } from '../problems/api-problem';

/**
 * Refuses, when it is handed in, a URL jobdesk would call (a job's webhook, an endpoint, the SMS
 * rules' on-call webhook and order lookup) whose host is a literal private address or localhost:
 * the notifier would refuse every call to it, and the client learnt that only from the delivery
 * log. Host names pass without a DNS lookup: the notifier checks what they resolve to when it
 * connects, which stays the real defence. The same rules and WEBHOOK_ALLOWED_HOSTS as there.
 */
@Injectable()
export class ReceiverCheck {
  private readonly policy: AddressPolicy;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.policy = new AddressPolicy(config.WEBHOOK_ALLOWED_HOSTS);
  }

  /** `urls`: field name → URL already validated by its schema (absent ones are skipped); 422 naming each refused field. */
  assertReachable(urls: Record<string, string | null | undefined>): void {
    const errors = Object.entries(urls).flatMap(([field, url]) => {
      const why = url ? this.policy.submitRefusal(url) : null;
      if (!why) return [];
      return [{ field, message: why.endsWith('is not a public address') ? `${why}; WEBHOOK_ALLOWED_HOSTS lets private receivers through` : why }];
    });
    if (errors.length) throw new ApiProblem(422, ErrorCode.ValidationFailed, `invalid ${errors[0].field}: ${errors[0].message}`, { errors });
  }
}
