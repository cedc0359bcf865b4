import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, UseGuards } from '@nestjs/common';
import { ErrorCode, JobRecord, JobView, PhoneNumber, SmsConfigBody, SmsConfigView, SmsConversationView, smsSubjects, SmsSubjects, TicketReplyBody } from '@jobdesk/contracts';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { RpcClient } from '@jobdesk/messaging';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { Tenant } from '../jobs/tenant.decorator';
import { toJobView } from '../jobs/job-view';
import { ApiProblem } from '../problems/api-problem';
import { parseJsonBody } from '../problems/json-body';
import { ReceiverCheck } from '../webhooks/receiver-check';

/** The tenant's text-conversation rules, the view of one number's conversation, and answers to tickets. */
@Controller('v1/sms')
@UseGuards(ApiKeyGuard)
export class SmsController {
  private readonly s: SmsSubjects;

  constructor(
    private readonly rpc: RpcClient,
    private readonly receivers: ReceiverCheck,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.s = smsSubjects(config.NATS_PREFIX);
  }

  @Get('config')
  getConfig(@Tenant() tenant: string): Promise<SmsConfigView> {
    return this.rpc.request(this.s.getConfig, { tenant });
  }

  @Put('config')
  putConfig(@Tenant() tenant: string, @Body() body: unknown): Promise<SmsConfigView> {
    const config = parseJsonBody(SmsConfigBody, body, { what: 'the SMS configuration', shape: '{"rules": [...]}' });
    // The URLs the notifier calls for these rules: the on-call webhook and the order lookup.
    const urls = config.rules.flatMap((r, i) => (r.action === 'escalate' ? [[`rules.${i}.oncall.webhook`, r.oncall.webhook]] : r.action === 'track' ? [[`rules.${i}.url`, r.url]] : []));
    this.receivers.assertReachable(Object.fromEntries(urls));
    return this.rpc.request(this.s.putConfig, { tenant, config });
  }

  /** The id of a conversation is the phone number, in E.164 (`+14155550123`). */
  @Get('conversations/:id')
  conversation(@Tenant() tenant: string, @Param('id') phone: string): Promise<SmsConversationView> {
    if (!PhoneNumber.safeParse(phone).success) throw new ApiProblem(404, ErrorCode.NotFound, 'no such conversation: its id is the phone number in E.164 form, e.g. +14155550123');
    return this.rpc.request(this.s.conversation, { tenant, phone });
  }

  @Post('tickets/:id/reply')
  @HttpCode(202)
  async reply(@Tenant() tenant: string, @Param('id') id: string, @Body() body: unknown): Promise<JobView> {
    const { body: text } = parseJsonBody(TicketReplyBody, body, { what: 'the reply', shape: '{"body": "…"}' });
    return toJobView(await this.rpc.request<JobRecord>(this.s.replyTicket, { tenant, ticketId: id, body: text }));
  }
}
