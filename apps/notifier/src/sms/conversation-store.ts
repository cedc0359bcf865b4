import { Inject, Injectable } from '@nestjs/common';
import { ApplySmsRequest, OpenConfirmation, OpenConfirmationRequest, SmsContext, SmsOutcome, smsSubjects, SmsSubjects } from '@jobdesk/contracts';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { RpcClient } from '@jobdesk/messaging';

/** Port: the conversation state, which job-tracker keeps in PostgreSQL. */
export abstract class ConversationStore {
  abstract context(tenant: string, phone: string): Promise<SmsContext>;
  /** Applies a message's command once per job; a re-run gets the first outcome back. */
  abstract apply(req: ApplySmsRequest): Promise<SmsOutcome>;
  abstract openConfirmation(req: OpenConfirmationRequest): Promise<OpenConfirmation & { status: string }>;
}

@Injectable()
export class RpcConversationStore extends ConversationStore {
  private readonly s: SmsSubjects;

  constructor(private readonly rpc: RpcClient, @Inject(APP_CONFIG) config: AppConfig) {
    super();
    this.s = smsSubjects(config.NATS_PREFIX);
  }

  context(tenant: string, phone: string): Promise<SmsContext> {
    return this.rpc.request(this.s.context, { tenant, phone });
  }

  apply(req: ApplySmsRequest): Promise<SmsOutcome> {
    return this.rpc.request(this.s.apply, req);
  }

  openConfirmation(req: OpenConfirmationRequest): Promise<OpenConfirmation & { status: string }> {
    return this.rpc.request(this.s.openConfirmation, req);
  }
}
