import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { NatsConnection, Subscription } from 'nats';
import { ApplySmsRequest, OpenConfirmationRequest, PutSmsConfigRequest, SmsConfigRequest, SmsPhoneRequest, smsSubjects, ReceiveInboundRequest, TicketReplyRequest } from '@jobdesk/contracts';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { NATS_CONNECTION, serveRpc } from '@jobdesk/messaging';
import { setLogContext } from '@jobdesk/observability';
import { SmsService } from './sms.service';
import { refusingInvalidInput } from '../jobs/invalid-input';

/** Text conversations over NATS request-reply: the gateway's and the `sms.*` handlers' questions. */
@Injectable()
export class SmsRpcServer implements OnApplicationBootstrap, OnModuleDestroy {
  private subs: Subscription[] = [];

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sms: SmsService,
  ) {}

  onApplicationBootstrap(): void {
    const s = smsSubjects(this.config.NATS_PREFIX);
    // A request PostgreSQL refuses as invalid text or JSON is the client's fault (422), not an outage.
    const about = <R extends { tenant: string }, T>(fn: (req: R) => Promise<T>) =>
      refusingInvalidInput((req: R) => {
        setLogContext({ tenant: req.tenant });
        return fn(req);
      });
    this.subs = [
      serveRpc(this.nc, s.receiveInbound, 'job-tracker', ReceiveInboundRequest, about((req) => this.sms.receiveInbound(req))),
      serveRpc(this.nc, s.getConfig, 'job-tracker', SmsConfigRequest, about((req) => this.sms.getConfig(req.tenant))),
      serveRpc(this.nc, s.putConfig, 'job-tracker', PutSmsConfigRequest, about((req) => this.sms.putConfig(req))),
      serveRpc(this.nc, s.context, 'job-tracker', SmsPhoneRequest, about((req) => this.sms.context(req))),
      serveRpc(this.nc, s.apply, 'job-tracker', ApplySmsRequest, about((req) => this.sms.apply(req))),
      serveRpc(this.nc, s.openConfirmation, 'job-tracker', OpenConfirmationRequest, about((req) => this.sms.openConfirmation(req))),
      serveRpc(this.nc, s.optedOut, 'job-tracker', SmsPhoneRequest, about((req) => this.sms.optedOut(req))),
      serveRpc(this.nc, s.conversation, 'job-tracker', SmsPhoneRequest, about((req) => this.sms.conversation(req))),
      serveRpc(this.nc, s.replyTicket, 'job-tracker', TicketReplyRequest, about((req) => this.sms.replyTicket(req))),
    ];
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.subs.map((s) => s.drain().catch(() => undefined)));
  }
}
