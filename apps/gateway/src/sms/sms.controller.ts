import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { ErrorCode, JobRecord, JobView, PhoneNumber, SmsConfigBody, SmsConfigView, SmsConversationView, smsSubjects, SmsSubjects, TicketReplyBody } from '@jobdesk/contracts';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { RpcClient } from '@jobdesk/messaging';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { Tenant } from '../jobs/tenant.decorator';
import { issues, scanJson } from '../jobs/jobs.service';
import { toJobView } from '../jobs/job-view';
import { ApiProblem } from '../problems/api-problem';

/** A JSON object body, checked against `schema`: 415 for another kind of body, 422 with the fields. */
function parseBody<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  if (raw === undefined || typeof raw === 'string') throw new ApiProblem(415, ErrorCode.UnsupportedMediaType, 'send a JSON object with Content-Type: application/json');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ApiProblem(422, ErrorCode.ValidationFailed, 'the body must be a JSON object');
  const scan = scanJson(raw);
  if (scan) throw new ApiProblem(422, ErrorCode.ValidationFailed, scan === 'nul' ? 'strings may not contain NUL (\\u0000) characters' : 'the JSON body nests too deep');
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ApiProblem(422, ErrorCode.ValidationFailed, 'the request is invalid', { errors: issues(parsed.error) });
  return parsed.data;
}

/** The tenant's text-conversation rules, the view of one number's conversation, and answers to tickets. */
@Controller('v1/sms')
@UseGuards(ApiKeyGuard)
export class SmsController {
  private readonly s: SmsSubjects;

  constructor(
    private readonly rpc: RpcClient,
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
    return this.rpc.request(this.s.putConfig, { tenant, config: parseBody(SmsConfigBody, body) });
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
    const { body: text } = parseBody(TicketReplyBody, body);
    return toJobView(await this.rpc.request<JobRecord>(this.s.replyTicket, { tenant, ticketId: id, body: text }));
  }
}
