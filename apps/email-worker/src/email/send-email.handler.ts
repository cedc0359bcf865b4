import { Injectable } from '@nestjs/common';
import { EmailSendInput, ErrorCode, JobInput } from '@jobdesk/contracts';
import { JobContext, JobFailure, JobHandler, JobResult } from '@jobdesk/queue';
import { EmailRenderer } from './email-renderer';
import { Mailer } from './mailer';

/** email.send: render, hand to SMTP. A 5xx reply is final; 4xx and connection errors retry. */
@Injectable()
export class SendEmailHandler implements JobHandler {
  constructor(
    private readonly mailer: Mailer,
    private readonly renderer: EmailRenderer,
  ) {}

  async execute(input: JobInput, ctx: JobContext): Promise<JobResult> {
    const parsed = input.kind === 'json' ? EmailSendInput.safeParse(input.data) : undefined;
    if (!parsed?.success) throw new JobFailure(ErrorCode.CorruptInput, `invalid email.send input: ${parsed?.error.message ?? 'not JSON'}`);
    const mail = this.renderer.render(parsed.data);
    try {
      const sent = await this.mailer.send({
        to: parsed.data.to,
        replyTo: parsed.data.reply_to,
        ...mail,
        messageId: `<${ctx.jobId}@jobdesk>`,
      });
      return { message_id: sent.messageId, accepted: sent.accepted, rejected: sent.rejected, response: sent.response };
    } catch (e) {
      throw smtpFailure(e);
    }
  }
}

export function smtpFailure(e: unknown): JobFailure {
  const err = e as { responseCode?: number; response?: string; message?: string };
  const reply = err.response ?? err.message ?? String(e);
  if (err.responseCode && err.responseCode >= 500) return new JobFailure(ErrorCode.SmtpRejected, `SMTP server rejected the message: ${reply}`, false);
  return new JobFailure(ErrorCode.SmtpUnavailable, `SMTP delivery failed (temporary): ${reply}`, true);
}
