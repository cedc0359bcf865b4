import { Injectable } from '@nestjs/common';
import { ErrorCode, JobInput, SmsCommand, SmsEscalationPayload, SmsInboundInput } from '@jobdesk/contracts';
import { JobContext, JobFailure, JobHandler, JobResult } from '@jobdesk/queue';
import { currentTraceparent } from '@jobdesk/observability';
import { ChildJobs } from './child-jobs';
import { ConversationStore } from './conversation-store';
import { WebhookOutbox } from './escalation-webhooks';
import { OrderLookup } from './order-lookup';
import { replyText } from './sms-replies';
import { Decision, decide } from './sms-rules';

/**
 * sms.inbound: one text from a customer. Reads the number's state, lets the tenant's rules
 * decide, applies the outcome through job-tracker (once per job), escalates if asked, and
 * answers with an `sms.send` job from the number that was texted. Every step is keyed by this
 * job's id, so a re-run (at least once) changes nothing twice and sends nothing twice.
 */
@Injectable()
export class SmsInboundHandler implements JobHandler {
  constructor(
    private readonly store: ConversationStore,
    private readonly jobs: ChildJobs,
    private readonly orders: OrderLookup,
    private readonly webhooks: WebhookOutbox,
  ) {}

  async execute(input: JobInput, ctx: JobContext): Promise<JobResult> {
    const parsed = input.kind === 'json' ? SmsInboundInput.safeParse(input.data) : undefined;
    if (!parsed?.success) throw new JobFailure(ErrorCode.CorruptInput, 'invalid sms.inbound input');
    const msg = parsed.data;
    const state = await this.store.context(ctx.tenant, msg.from);
    const decision = decide(state.config, msg.body, { ...state, now: new Date() });
    const command = await this.command(decision, msg.body, ctx);
    const outcome = await this.store.apply({ tenant: ctx.tenant, jobId: ctx.jobId, phone: msg.from, command });
    const escalated = decision.kind === 'escalate' ? await this.escalate(decision, msg, ctx) : [];
    const text = replyText(decision, outcome, state.config);
    // STOP turns replies off; START (just applied) turns them on again.
    const mayReply = outcome.action === 'opt_in' || !state.optedOut;
    const reply = text && mayReply
      ? await this.jobs.create({
          tenant: ctx.tenant,
          type: 'sms.send',
          input: { to: msg.from, body: text, from: msg.to },
          metadata: { sms_peer: msg.from, in_reply_to: ctx.jobId },
          key: `sms-reply:${ctx.jobId}`,
        })
      : null;
    return { action: outcome.action, outcome, reply_job_id: reply?.id ?? null, reply_suppressed: !!text && !mayReply, escalated_to: escalated };
  }

  /** What to store; the order lookup happens here, before anything is written. */
  private async command(d: Decision, body: string, ctx: JobContext): Promise<SmsCommand> {
    switch (d.kind) {
      case 'rsvp':
        return { kind: 'rsvp', eventId: d.rule.event.id, eventName: d.rule.event.name, attending: d.attending, headCount: d.headCount };
      case 'coupon':
        return { kind: 'coupon', campaign: d.rule.campaign, keyword: d.rule.keyword, supply: d.rule.supply, validDays: d.rule.valid_days };
      case 'track': {
        const found = await this.orders.status(d.rule.url, d.order, d.rule.status_field, ctx.signal);
        return { kind: 'track', order: d.order, status: 'status' in found ? found.status : null, error: 'error' in found ? found.error : null };
      }
      case 'feedback':
        return { kind: 'feedback', rating: d.rating, comment: d.comment.slice(0, 1600) };
      case 'escalate':
        return { kind: 'escalate', words: d.words };
      case 'support':
        return { kind: 'support' };
      case 'confirm':
        return { kind: 'confirm', answer: d.answer };
      default:
        return { kind: d.kind };
    }
  }

  /** The tenant's on-call channels, at once: each a job or a delivery of its own, made once. */
  private async escalate(d: Extract<Decision, { kind: 'escalate' }>, msg: SmsInboundInput, ctx: JobContext): Promise<string[]> {
    const { oncall } = d.rule;
    const metadata = { sms_peer: msg.from, escalation_for: ctx.jobId };
    const summary = `Escalated text from ${msg.from} to ${msg.to}: "${msg.body}"`;
    const sent: string[] = [];
    if (oncall.webhook) {
      const payload: SmsEscalationPayload = { type: 'sms.escalated', timestamp: new Date().toISOString(), data: { job_id: ctx.jobId, from: msg.from, to: msg.to, body: msg.body, words: d.words } };
      await this.webhooks.enqueue({ messageId: `msg_${ctx.jobId.replace(/-/g, '')}_escalated`, tenant: ctx.tenant, jobId: ctx.jobId, url: oncall.webhook, body: JSON.stringify(payload), traceparent: currentTraceparent() });
      sent.push('webhook');
    }
    if (oncall.email) {
      await this.jobs.create({ tenant: ctx.tenant, type: 'email.send', input: { to: oncall.email, subject: `URGENT: text from ${msg.from}`, text: summary }, metadata, key: `sms-escalate:${ctx.jobId}:email` });
      sent.push('email');
    }
    if (oncall.sms) {
      await this.jobs.create({ tenant: ctx.tenant, type: 'sms.send', input: { to: oncall.sms, body: `URGENT ${summary}`.slice(0, 1600), from: msg.to }, metadata: { sms_peer: oncall.sms, escalation_for: ctx.jobId }, key: `sms-escalate:${ctx.jobId}:sms` });
      sent.push('sms');
    }
    return sent;
  }
}
