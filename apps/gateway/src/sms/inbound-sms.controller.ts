import { Controller, Headers, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, INBOUND_FORM_LIMITS } from '@jobdesk/contracts';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { ApiProblem } from '../problems/api-problem';
import { JobsService } from '../jobs/jobs.service';

export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/**
 * Twilio's inbound-message webhook. No API key: the request is authenticated by its
 * X-Twilio-Signature, checked by job-tracker against the tenant's auth token over the public
 * URL (PUBLIC_BASE_URL + the path, as Twilio saw it behind any proxy) and the fields. The text
 * becomes an `sms.inbound` job — one per MessageSid, so Twilio's retries make no second one —
 * and Twilio gets empty TwiML at once: the answer follows as an SMS of its own.
 */
@Controller('v1/inbound/sms')
export class InboundSmsController {
  constructor(
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

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
    const { fields, nameChars, valueChars } = INBOUND_FORM_LIMITS;
    if (params.length > fields) throw new ApiProblem(400, ErrorCode.ValidationFailed, `more than ${fields} form fields`);
    // Checked here to name the field: job-tracker's schema would say only "params.5.1".
    const long = params.find(([k, v]) => k.length > nameChars || v.length > valueChars);
    if (long) {
      const [k, v] = long;
      const name = k.length > nameChars ? `a form field name longer than ${nameChars} characters` : `${k} longer than ${valueChars} characters (${v.length})`;
      throw new ApiProblem(400, ErrorCode.ValidationFailed, name);
    }
    if (params.some(([k, v]) => `${k}${v}`.includes('\u0000'))) throw new ApiProblem(400, ErrorCode.ValidationFailed, 'form fields may not contain NUL characters');
    const base = this.config.PUBLIC_BASE_URL.endsWith('/') ? this.config.PUBLIC_BASE_URL : `${this.config.PUBLIC_BASE_URL}/`;
    const url = new URL(req.url.replace(/^\/+/, ''), base).toString();
    await this.jobs.receiveInboundSms({ tenant, url, params, signature: signature.slice(0, 200) });
    void res.header('content-type', 'text/xml; charset=utf-8');
    return EMPTY_TWIML;
  }
}
