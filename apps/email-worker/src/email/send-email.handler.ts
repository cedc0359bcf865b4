import { Injectable, Optional } from '@nestjs/common';
import { EmailSendInput, ErrorCode, JobInput } from '@jobdesk/contracts';
import { JobContext, JobFailure, JobHandler, JobResult } from '@jobdesk/queue';
import { Metrics } from '@jobdesk/observability';
import { EmailRenderer } from './email-renderer';
import { Mailer } from './mailer';

/** email.send: render, hand to SMTP. A 5xx reply is final; 4xx and connection errors retry. */
@Injectable()
export class SendEmailHandler implements JobHandler {
  private readonly deliveries;

  constructor(
    private readonly mailer: Mailer,
    private readonly renderer: EmailRenderer,
    @Optional() metrics?: Metrics,
  ) {
    // outcome: sent | rejected (SMTP 5xx, final) | failed (temporary, retried)
    this.deliveries = metrics?.counter('jobdesk_email_deliveries_total', 'Emails handed to SMTP, by outcome', ['outcome']);
  }

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
      this.deliveries?.inc({ outcome: 'sent' });
      return { message_id: sent.messageId, accepted: sent.accepted, rejected: sent.rejected, response: sent.response };
    } catch (e) {
      const failure = smtpFailure(e);
      this.deliveries?.inc({ outcome: failure.retryable ? 'failed' : 'rejected' });
      throw failure;
    }
  }
}

export function smtpFailure(e: unknown): JobFailure {
  const err = e as { responseCode?: number; response?: string; message?: string };
  const reply = err.response ?? err.message ?? String(e);
  if (err.responseCode && err.responseCode >= 500) return new JobFailure(ErrorCode.SmtpRejected, `SMTP server rejected the message: ${reply}`, false);
  return new JobFailure(ErrorCode.SmtpUnavailable, `SMTP delivery failed (temporary): ${reply}`, true);
}
