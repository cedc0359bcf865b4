import { Inject, Injectable } from '@nestjs/common';
import { CreateRequestContext, EntityManager } from '@mikro-orm/postgresql';
import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  ApplySmsRequest,
  CreateAnyJobRequest,
  CreateJobReply,
  CreateJobRequest,
  ErrorCode,
  JobRecord,
  OpenConfirmation,
  OpenConfirmationRequest,
  PutSmsConfigRequest,
  SmsCommand,
  SmsConfig,
  SmsConfigBody,
  SmsConfigView,
  SmsContext,
  SmsConversationView,
  SmsOutcome,
  SmsPhoneRequest,
  ReceiveInboundRequest,
  SmsInboundInput,
  TicketReplyRequest,
  uuidv7,
} from '@jobdesk/contracts';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { RpcFailure } from '@jobdesk/messaging';
import { JobsService } from '../jobs/jobs.service';
import { validTwilioSignature } from './twilio-signature';

type Row = Record<string, any>;
const iso = (d: Date | string | null): string | null => (d ? new Date(d).toISOString() : null);
/** The number a text job is with: the sender of an inbound one, the recipient of the others. */
const PEER = `(case when j.type = 'sms.inbound' then j.input->'data'->>'from' else j.input->'data'->>'to' end)`;
/** Twilio's form field behind each `sms.inbound` input field, to name the one at fault. */
const TWILIO_FIELD: Record<string, string> = { message_sid: 'MessageSid', from: 'From', to: 'To', body: 'Body', num_media: 'NumMedia' };

/**
 * The state of text conversations (job-tracker owns PostgreSQL): each tenant's rules and Twilio
 * token, opt-outs, confirmations, RSVPs, coupons, feedback and tickets. The `sms.inbound`
 * handler (notifier) decides; `apply` changes the state once per inbound job, in one
 * transaction, and keeps the outcome so a re-run of the job gets the same answer.
 */
@Injectable()
export class SmsService {
  constructor(
    private readonly em: EntityManager,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Twilio's inbound request, signed with the tenant's token (else SMS_AUTH_TOKEN), becomes the
   * `sms.inbound` job — checked here, where the job is made, so nothing unsigned can make one.
   * One job per MessageSid: Twilio's retries return the first.
   */
  @CreateRequestContext()
  async receiveInbound(req: z.output<typeof ReceiveInboundRequest>): Promise<CreateJobReply> {
    await this.verifyInbound(req);
    const f = Object.fromEntries(req.params);
    const input = SmsInboundInput.safeParse({ message_sid: f.MessageSid ?? f.SmsMessageSid, from: f.From, to: f.To, body: f.Body ?? '', num_media: Number(f.NumMedia ?? 0) || 0 });
    if (!input.success) {
      const fields = input.error.issues.map((i) => `${TWILIO_FIELD[String(i.path[0])] ?? String(i.path[0])}: ${i.message}`).join('; ');
      throw new RpcFailure(ErrorCode.ValidationFailed, `not an inbound message Twilio would send: ${fields}`, 422);
    }
    const sid = input.data.message_sid;
    return this.jobs.create(
      CreateAnyJobRequest.parse({
        id: req.id,
        tenant: req.tenant,
        type: 'sms.inbound',
        input: { kind: 'json', data: input.data },
        metadata: { sms_peer: input.data.from, message_sid: sid },
        idempotency: { key: `twilio:${sid}`, fingerprint: `twilio:${sid}` },
        deadline: req.deadline,
      }),
    );
  }

  private async verifyInbound(req: Pick<ReceiveInboundRequest, 'tenant' | 'url' | 'params' | 'signature'>): Promise<void> {
    const [row] = await this.em.execute<Row[]>(`select auth_token from sms_config where tenant = ?`, [req.tenant]);
    // A tenant with no SMS config of its own (no token, no rules) is covered by SMS_AUTH_TOKEN too,
    // as the README promises: STOP / START / HELP must work for any tenant that texts customers.
    const token: string = row?.auth_token ?? this.config.SMS_AUTH_TOKEN;
    if (!token || !validTwilioSignature(token, req.url, req.params, req.signature)) {
      throw new RpcFailure(ErrorCode.Forbidden, 'the X-Twilio-Signature does not match this request for this tenant', 403);
    }
  }

  @CreateRequestContext()
  async getConfig(tenant: string): Promise<SmsConfigView> {
    const [row] = await this.em.execute<Row[]>(`select config, auth_token, updated_at from sms_config where tenant = ?`, [tenant]);
    if (!row) return { rules: [], configured: false, auth_token_set: false, updated_at: null };
    return { ...(row.config as SmsConfig), configured: true, auth_token_set: !!row.auth_token, updated_at: iso(row.updated_at) };
  }

  /** Replaces the rules; the auth token is kept unless a new one is given. */
  @CreateRequestContext()
  async putConfig(req: PutSmsConfigRequest): Promise<SmsConfigView> {
    const { auth_token, ...config } = SmsConfigBody.parse(req.config);
    await this.em.execute(
      `insert into sms_config (tenant, config, auth_token, updated_at) values (?, ?, ?, now())
       on conflict (tenant) do update set config = excluded.config, auth_token = coalesce(excluded.auth_token, sms_config.auth_token), updated_at = now()`,
      [req.tenant, JSON.stringify(config), auth_token ?? null],
    );
    return this.getConfig(req.tenant);
  }

  @CreateRequestContext()
  async context(req: SmsPhoneRequest): Promise<SmsContext> {
    const [cfg] = await this.em.execute<Row[]>(`select config from sms_config where tenant = ?`, [req.tenant]);
    return { config: (cfg?.config as SmsConfig) ?? null, optedOut: await this.isOptedOut(req), openConfirmation: await this.latestOpen(this.em, req) };
  }

  @CreateRequestContext()
  async optedOut(req: SmsPhoneRequest): Promise<{ optedOut: boolean }> {
    return { optedOut: await this.isOptedOut(req) };
  }

  /** Applies an inbound message's command once: a re-run of the same job returns the first outcome. */
  @CreateRequestContext()
  async apply(req: ApplySmsRequest): Promise<SmsOutcome> {
    return this.em.transactional(async (em) => {
      // Two runs of one job (a stalled worker) take turns; the second finds the outcome.
      await em.execute(`select pg_advisory_xact_lock(hashtext(?))`, [`sms_inbound:${req.jobId}`]);
      const [done] = await em.execute<Row[]>(`select outcome from sms_inbound where job_id = ?`, [req.jobId]);
      if (done) return done.outcome as SmsOutcome;
      const outcome = await this.execute(em, req, req.command);
      await em.execute(`insert into sms_inbound (job_id, tenant, phone, action, outcome, at) values (?, ?, ?, ?, ?, now())`, [req.jobId, req.tenant, req.phone, outcome.action, JSON.stringify(outcome)]);
      return outcome;
    });
  }

  private async execute(em: EntityManager, req: ApplySmsRequest, c: SmsCommand): Promise<SmsOutcome> {
    const { tenant, phone, jobId } = req;
    switch (c.kind) {
      case 'opt_out':
      case 'opt_in':
        await em.execute(
          `insert into sms_opt_out (tenant, phone, opted_out, updated_at) values (?, ?, ?, now())
           on conflict (tenant, phone) do update set opted_out = excluded.opted_out, updated_at = now()`,
          [tenant, phone, c.kind === 'opt_out'],
        );
        return { action: c.kind };
      case 'help':
      case 'none':
        return { action: c.kind };
      case 'confirm': {
        const open = await this.latestOpen(em, req, true);
        if (open) {
          await em.execute(`update sms_confirmation set status = ?, answered_at = now(), answer_job_id = ? where id = ?`, [c.answer === 'yes' ? 'confirmed' : 'declined', jobId, open.id]);
        }
        return { action: 'confirm', answer: c.answer, confirmation_id: open?.id ?? null, question: open?.question ?? null };
      }
      case 'rsvp':
        await em.execute(
          `insert into sms_rsvp (tenant, event_id, phone, attending, head_count, job_id, updated_at) values (?, ?, ?, ?, ?, ?, now())
           on conflict (tenant, event_id, phone) do update set attending = excluded.attending, head_count = excluded.head_count, job_id = excluded.job_id, updated_at = now()`,
          [tenant, c.eventId, phone, c.attending, c.headCount, jobId],
        );
        return { action: 'rsvp', event_id: c.eventId, event_name: c.eventName, attending: c.attending, head_count: c.headCount };
      case 'coupon':
        return this.issueCoupon(em, req, c);
      case 'track':
        return { action: 'track', order: c.order, status: c.status, error: c.error };
      case 'feedback':
        await em.execute(`insert into sms_feedback (job_id, tenant, phone, rating, comment, at) values (?, ?, ?, ?, ?, now())`, [jobId, tenant, phone, c.rating, c.comment]);
        return { action: 'feedback', rating: c.rating, comment: c.comment };
      case 'support': {
        const [open] = await em.execute<Row[]>(`select id from sms_ticket where tenant = ? and phone = ? and status = 'open' order by created_at desc limit 1`, [tenant, phone]);
        if (open) return { action: 'support', ticket_id: open.id, new_ticket: false };
        const id = randomUUID();
        await em.execute(`insert into sms_ticket (id, tenant, phone, status, opened_job_id, created_at) values (?, ?, ?, 'open', ?, now())`, [id, tenant, phone, jobId]);
        return { action: 'support', ticket_id: id, new_ticket: true };
      }
      case 'escalate':
        return { action: 'escalate', words: c.words };
    }
  }

  /** One code per phone and campaign (asking again gives the same one), at most `supply` in all. */
  private async issueCoupon(em: EntityManager, req: ApplySmsRequest, c: Extract<SmsCommand, { kind: 'coupon' }>): Promise<SmsOutcome> {
    const { tenant, phone } = req;
    await em.execute(`select pg_advisory_xact_lock(hashtext(?))`, [`sms_coupon:${tenant}:${c.campaign}`]);
    const [mine] = await em.execute<Row[]>(`select code, expires_at from sms_coupon where tenant = ? and campaign = ? and phone = ?`, [tenant, c.campaign, phone]);
    if (mine) return { action: 'coupon', campaign: c.campaign, code: mine.code, expires_at: iso(mine.expires_at), sold_out: false, repeat: true };
    const [{ n }] = await em.execute<Row[]>(`select count(*)::int as n from sms_coupon where tenant = ? and campaign = ?`, [tenant, c.campaign]);
    if (n >= c.supply) return { action: 'coupon', campaign: c.campaign, code: null, expires_at: null, sold_out: true, repeat: false };
    // 8 characters of Crockford base32: 40 bits, unguessable in practice and easy to type.
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    const code = `${c.keyword.toUpperCase()}-${[...randomBytes(8)].map((b) => alphabet[b % 32]).join('')}`;
    const [row] = await em.execute<Row[]>(
      `insert into sms_coupon (tenant, campaign, phone, code, job_id, issued_at, expires_at) values (?, ?, ?, ?, ?, now(), now() + interval '1 day' * ?) returning expires_at`,
      [tenant, c.campaign, phone, code, req.jobId, c.validDays],
    );
    return { action: 'coupon', campaign: c.campaign, code, expires_at: iso(row.expires_at), sold_out: false, repeat: false };
  }

  /** Opens the question an `sms.confirm-request` job sends; a re-run keeps the first expiry. */
  @CreateRequestContext()
  async openConfirmation(req: OpenConfirmationRequest): Promise<OpenConfirmation & { status: string }> {
    await this.em.execute(
      `insert into sms_confirmation (id, tenant, phone, question, status, expires_at, created_at) values (?, ?, ?, ?, 'open', ?, now()) on conflict (id) do nothing`,
      [req.jobId, req.tenant, req.phone, req.question, req.expiresAt],
    );
    const [row] = await this.em.execute<Row[]>(`select id, question, status, expires_at from sms_confirmation where id = ?`, [req.jobId]);
    return { id: row.id, question: row.question, status: row.status, expires_at: iso(row.expires_at)! };
  }

  @CreateRequestContext()
  async conversation(req: SmsPhoneRequest): Promise<SmsConversationView> {
    const { tenant, phone } = req;
    const args = [tenant, phone];
    const messages = await this.em.execute<Row[]>(
      `select j.id, j.type, j.status, j.input, j.created_at, s.action from job j left join sms_inbound s on s.job_id = j.id
        where j.tenant = ? and j.type in ('sms.inbound', 'sms.send', 'sms.confirm-request') and ${PEER} = ?
        order by j.created_at desc, j.id desc limit 500`,
      args,
    );
    const confirmations = await this.em.execute<Row[]>(`select * from sms_confirmation where tenant = ? and phone = ? order by created_at desc limit 100`, args);
    const tickets = await this.em.execute<Row[]>(`select * from sms_ticket where tenant = ? and phone = ? order by created_at desc limit 100`, args);
    const rsvps = await this.em.execute<Row[]>(`select * from sms_rsvp where tenant = ? and phone = ? order by updated_at desc limit 100`, args);
    const coupons = await this.em.execute<Row[]>(`select * from sms_coupon where tenant = ? and phone = ? order by issued_at desc limit 100`, args);
    const feedback = await this.em.execute<Row[]>(`select * from sms_feedback where tenant = ? and phone = ? order by at desc limit 100`, args);
    return {
      phone,
      opted_out: await this.isOptedOut(req),
      messages: messages.reverse().map((m) => ({
        job_id: m.id,
        type: m.type,
        direction: m.type === 'sms.inbound' ? 'in' : 'out',
        body: String(m.input?.data?.body ?? m.input?.data?.question ?? ''),
        status: m.status,
        action: m.action ?? null,
        at: iso(m.created_at)!,
      })),
      confirmations: confirmations.map((c) => ({
        id: c.id,
        question: c.question,
        status: c.status === 'open' && new Date(c.expires_at) <= new Date() ? 'expired' : c.status,
        expires_at: iso(c.expires_at)!,
        answered_at: iso(c.answered_at),
      })),
      tickets: tickets.map((t) => ({ id: t.id, status: t.status, created_at: iso(t.created_at)!, answered_at: iso(t.answered_at) })),
      rsvps: rsvps.map((r) => ({ event_id: r.event_id, attending: r.attending, head_count: r.head_count, updated_at: iso(r.updated_at)! })),
      coupons: coupons.map((c) => ({ campaign: c.campaign, code: c.code, issued_at: iso(c.issued_at)!, expires_at: iso(c.expires_at)! })),
      feedback: feedback.map((f) => ({ rating: f.rating, comment: f.comment, at: iso(f.at)! })),
    };
  }

  /** An answer to a ticket goes out as an `sms.send` job from the number the customer texted. */
  @CreateRequestContext()
  async replyTicket(req: TicketReplyRequest): Promise<JobRecord> {
    const [ticket] = z.string().uuid().safeParse(req.ticketId).success
      ? await this.em.execute<Row[]>(
          `select t.id, t.phone, j.input->'data'->>'to' as number from sms_ticket t join job j on j.id = t.opened_job_id where t.id = ? and t.tenant = ?`,
          [req.ticketId, req.tenant],
        )
      : [];
    if (!ticket) throw new RpcFailure(ErrorCode.NotFound, `no ticket ${req.ticketId}`, 404);
    const { job } = await this.jobs.create(
      CreateJobRequest.parse({
        id: uuidv7(),
        tenant: req.tenant,
        type: 'sms.send',
        input: { kind: 'json', data: { to: ticket.phone, body: req.body, ...(ticket.number ? { from: ticket.number } : {}) } },
        metadata: { sms_peer: ticket.phone, ticket_id: ticket.id },
      }),
    );
    await this.em.execute(`update sms_ticket set status = 'answered', answered_at = now() where id = ?`, [ticket.id]);
    return job;
  }

  private async isOptedOut(req: SmsPhoneRequest): Promise<boolean> {
    const [row] = await this.em.execute<Row[]>(`select opted_out from sms_opt_out where tenant = ? and phone = ?`, [req.tenant, req.phone]);
    return !!row?.opted_out;
  }

  private async latestOpen(em: EntityManager, req: SmsPhoneRequest, lock = false): Promise<OpenConfirmation | null> {
    const [row] = await em.execute<Row[]>(
      `select id, question, expires_at from sms_confirmation where tenant = ? and phone = ? and status = 'open' and expires_at > now()
        order by created_at desc limit 1${lock ? ' for update' : ''}`,
      [req.tenant, req.phone],
    );
    return row ? { id: row.id, question: row.question, expires_at: iso(row.expires_at)! } : null;
  }
}
