import { Injectable } from '@nestjs/common';
import { ErrorCode, JobInput, SmsConfirmRequestInput } from '@jobdesk/contracts';
import { JobContext, JobFailure, JobHandler, JobResult } from '@jobdesk/queue';
import { ChildJobs } from './child-jobs';
import { ConversationStore } from './conversation-store';

/**
 * sms.confirm-request: opens a yes/no question for a number (its id is this job's) and texts it.
 * The latest open question is what YES / NO / CONFIRM / CANCEL from that number answer, until
 * it expires. Re-runs keep the first expiry and send the question once.
 */
@Injectable()
export class ConfirmRequestHandler implements JobHandler {
  constructor(
    private readonly store: ConversationStore,
    private readonly jobs: ChildJobs,
  ) {}

  async execute(input: JobInput, ctx: JobContext): Promise<JobResult> {
    const parsed = input.kind === 'json' ? SmsConfirmRequestInput.safeParse(input.data) : undefined;
    if (!parsed?.success) throw new JobFailure(ErrorCode.CorruptInput, 'invalid sms.confirm-request input');
    const { to, question, expires_in_s, from } = parsed.data;
    const opened = await this.store.openConfirmation({ tenant: ctx.tenant, jobId: ctx.jobId, phone: to, question, expiresAt: new Date(Date.now() + expires_in_s * 1000).toISOString() });
    const sms = await this.jobs.create({
      tenant: ctx.tenant,
      type: 'sms.send',
      input: { to, body: `${question}\nReply YES to confirm or NO to cancel.`, ...(from ? { from } : {}) },
      metadata: { sms_peer: to, confirmation_id: ctx.jobId },
      key: `sms-confirm:${ctx.jobId}`,
    });
    return { confirmation_id: opened.id, status: opened.status, expires_at: opened.expires_at, question_job_id: sms.id };
  }
}
