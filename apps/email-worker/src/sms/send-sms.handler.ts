import { Injectable } from '@nestjs/common';
import { ErrorCode, JobInput, SmsSendInput } from '@jobdesk/contracts';
import { JobContext, JobFailure, JobHandler, JobResult } from '@jobdesk/queue';
import { SmsSender } from './sms-sender';

/** sms.send: 429 and 5xx are retried on the job's schedule; other 4xx fail with the provider's message. */
@Injectable()
export class SendSmsHandler implements JobHandler {
  constructor(private readonly sms: SmsSender) {}

  async execute(input: JobInput, ctx: JobContext): Promise<JobResult> {
    const parsed = input.kind === 'json' ? SmsSendInput.safeParse(input.data) : undefined;
    if (!parsed?.success) throw new JobFailure(ErrorCode.CorruptInput, 'invalid sms.send input');
    const out = await this.sms.send(parsed.data.to, parsed.data.body, ctx.signal);
    if (out.ok) return { sid: out.sid ?? null, status: out.providerStatus ?? null };
    throw new JobFailure(out.retryable ? ErrorCode.SmsUnavailable : ErrorCode.SmsRejected, out.error ?? 'SMS failed', out.retryable);
  }
}
