import { Injectable } from '@nestjs/common';
import { ErrorCode, JobInput, SmsSendInput } from '@jobdesk/contracts';
import { JobContext, JobFailure, JobHandler, JobResult } from '@jobdesk/queue';
import { SmsSender } from './sms-sender';
import { SmsOptOuts } from './sms-opt-outs';

/**
 * sms.send: 429 and 5xx are retried on the job's schedule; other 4xx fail with the provider's
 * message. A number that texted STOP gets nothing, whichever path made the job (API, notify,
 * conversation replies): checked here, just before sending, so a STOP that arrives after the
 * job was made still counts.
 */
@Injectable()
export class SendSmsHandler implements JobHandler {
  constructor(
    private readonly sms: SmsSender,
    private readonly optOuts: SmsOptOuts,
  ) {}

  async execute(input: JobInput, ctx: JobContext): Promise<JobResult> {
    const parsed = input.kind === 'json' ? SmsSendInput.safeParse(input.data) : undefined;
    if (!parsed?.success) throw new JobFailure(ErrorCode.CorruptInput, 'invalid sms.send input');
    const { to, body, from } = parsed.data;
    if (await this.optOuts.isOptedOut(ctx.tenant, to)) throw new JobFailure(ErrorCode.SmsOptedOut, 'the recipient texted STOP; nothing is sent until they text START');
    const out = await this.sms.send(to, body, ctx.signal, from);
    if (out.ok) return { sid: out.sid ?? null, status: out.providerStatus ?? null };
    throw new JobFailure(out.retryable ? ErrorCode.SmsUnavailable : ErrorCode.SmsRejected, out.error ?? 'SMS failed', out.retryable);
  }
}
