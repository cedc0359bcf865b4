import { Inject, Injectable } from '@nestjs/common';
import { smsSubjects } from '@jobdesk/contracts';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { RpcClient } from '@jobdesk/messaging';

/** Port: whether a number texted STOP to a tenant (job-tracker keeps the list). */
export abstract class SmsOptOuts {
  abstract isOptedOut(tenant: string, phone: string): Promise<boolean>;
}

@Injectable()
export class RpcSmsOptOuts extends SmsOptOuts {
  private readonly subject: string;

  constructor(private readonly rpc: RpcClient, @Inject(APP_CONFIG) config: AppConfig) {
    super();
    this.subject = smsSubjects(config.NATS_PREFIX).optedOut;
  }

  async isOptedOut(tenant: string, phone: string): Promise<boolean> {
    // An unreachable tracker throws (503): the attempt is retried rather than sent unchecked.
    return (await this.rpc.request<{ optedOut: boolean }>(this.subject, { tenant, phone })).optedOut;
  }
}
