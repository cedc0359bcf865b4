import { Controller, Headers, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, SmsInboundInput, smsSubjects, SmsSubjects } from '@jobdesk/contracts';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { RpcClient } from '@jobdesk/messaging';
import { ApiProblem } from '../problems/api-problem';
import { JobsService } from '../jobs/jobs.service';
import { issues } from '../problems/json-body';
import { uuidv7 } from '../jobs/uuid-v7';

export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
const MAX_FIELDS = 200;

/**
 * Twilio's inbound-message webhook. No API key: the request is authenticated by its
 * X-Twilio-Signature, checked by job-tracker against the tenant's auth token over the public
 * URL (PUBLIC_BASE_URL + the path, as Twilio saw it behind any proxy) and the fields. The text
 * becomes an `sms.inbound` job — one per MessageSid, so Twilio's retries make no second one —
 * and Twilio gets empty TwiML at once: the answer follows as an SMS of its own.
 */
@Controller('v1/inbound/sms')
export class InboundSmsController {
  private readonly s: SmsSubjects;

  constructor(
    private readonly jobs: JobsService,
    private readonly rpc: RpcClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.s = smsSubjects(config.NATS_PREFIX);
  }

  @Post(':tenant')
  @HttpCode(200)
  async receive(
    @Param('tenant') tenant: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
    @Headers('x-twilio-signature') signature?: string,
  ): Promise<string> {
    // Nest's form parser has made an object of the body (a repeated field: an array of its values).
    const form = req.body;
    if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '') || !form || typeof form !== 'object') {
      throw new ApiProblem(415, ErrorCode.UnsupportedMediaType, 'Twilio posts application/x-www-form-urlencoded');
    }
    const forbidden = () => new ApiProblem(403, ErrorCode.Forbidden, 'the request is not signed for this tenant (X-Twilio-Signature)');
    if (!signature || !/^[\x21-\x7e]{1,128}$/.test(tenant)) throw forbidden();
    const params = Object.entries(form).flatMap(([k, v]) => [v].flat().map((x) => [k, String(x)] as [string, string]));
    if (params.length > MAX_FIELDS) throw new ApiProblem(400, ErrorCode.ValidationFailed, `more than ${MAX_FIELDS} form fields`);
    if (params.some(([k, v]) => `${k}${v}`.includes('\u0000'))) throw new ApiProblem(400, ErrorCode.ValidationFailed, 'form fields may not contain NUL characters');
    const base = this.config.PUBLIC_BASE_URL.endsWith('/') ? this.config.PUBLIC_BASE_URL : `${this.config.PUBLIC_BASE_URL}/`;
    const url = new URL(req.url.replace(/^\/+/, ''), base).toString();
    await this.rpc.request(this.s.verifyInbound, { tenant, url, params, signature: signature.slice(0, 200) });

    const f = Object.fromEntries(params);
    const input = SmsInboundInput.safeParse({ message_sid: f.MessageSid ?? f.SmsMessageSid, from: f.From, to: f.To, body: f.Body ?? '', num_media: Number(f.NumMedia ?? 0) || 0 });
    if (!input.success) throw new ApiProblem(422, ErrorCode.ValidationFailed, 'not an inbound message Twilio would send', { errors: issues(input.error) });
    const sid = input.data.message_sid;
    await this.jobs.create({
      id: uuidv7(),
      tenant,
      type: 'sms.inbound',
      input: { kind: 'json', data: input.data },
      metadata: { sms_peer: input.data.from, message_sid: sid },
      idempotency: { key: `twilio:${sid}`, fingerprint: `twilio:${sid}` },
    });
    void res.header('content-type', 'text/xml; charset=utf-8');
    return EMPTY_TWIML;
  }
}
