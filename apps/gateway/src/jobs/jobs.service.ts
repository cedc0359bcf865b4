import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import {
  CreateJobReply,
  CreateJobRequest,
  ErrorCode,
  ListJobsReply,
  ListJobsRequest,
  TransitionView,
  FileRef,
  isPublicJobType,
  JOB_SPECS,
  JobRecord,
  JobType,
  JSON_INPUT_SCHEMAS,
  Metadata,
  NotifyTargets,
  PUBLIC_JOB_TYPES,
  ReceiveInboundRequest,
  ResultBodyReply,
  uuidv7,
  smsSubjects,
  Subjects,
  SubmitJobBody,
} from '@jobdesk/contracts';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { RpcClient, RpcFailure, SUBJECTS } from '@jobdesk/messaging';
import { ObjectNotFoundError, ObjectStorage } from '@jobdesk/storage';
import { mimeOf, sniffFormat, SNIFF_BYTES } from '@jobdesk/file-formats';
import { ApiProblem } from '../problems/api-problem';
import { issues, parseJsonBody, parseJsonText, unstorable, UNSTORABLE_MESSAGE } from '../problems/json-body';
import { ReceiverCheck } from '../webhooks/receiver-check';
import { UploadTap } from './upload-tap';
import { createHash } from 'node:crypto';

const MULTIPART_FIELDS = new Set(['type', 'file', 'callback_url', 'notify', 'metadata', 'priority', 'run_at', 'max_attempts']);

/**
 * How long past the create deadline the gateway still waits for job-tracker's reply (a busy
 * event loop, a reconnect), and so the latest moment a commit in progress can still finish.
 */
const CREATE_REPLY_GRACE_MS = 1_000;

/** busboy's words for a multipart body that is not one (no boundary, cut short, bad headers). */
const MALFORMED_MULTIPART = /^(Multipart: Boundary not found|Unexpected end of (form|multipart data)|Part terminated early|Malformed part header|Malformed urlencoded form)/;

/**
 * Turns submissions into jobs. Order matters for rule 1 (a 202 is durable): the input is
 * stored first, then job-tracker commits the row; if that fails the stored input is removed
 * and the client gets an error, so nothing half-made remains.
 */
@Injectable()
export class JobsService {
  private readonly log = new Logger('submit');

  constructor(
    private readonly rpc: RpcClient,
    private readonly storage: ObjectStorage,
    @Inject(SUBJECTS) private readonly s: Subjects,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly receivers: ReceiverCheck,
  ) {}

  async submitJson(tenant: string, raw: unknown, idempotencyKey?: string): Promise<CreateJobReply> {
    // A string body means a text/* content type; other non-objects are valid JSON of the wrong kind.
    const b = parseJsonBody(SubmitJobBody, raw, { what: 'the job request', shape: '{"type", "input", …}', alternative: ', or a multipart/form-data upload' });
    this.receivers.assertReachable({ 'notify.webhook': b.notify?.webhook });
    const type = this.knownType(b.type);
    const schema = JSON_INPUT_SCHEMAS[type];
    if (!schema) {
      throw new ApiProblem(415, ErrorCode.UnsupportedMediaType, `${type} takes a file: send multipart/form-data with fields "type" and "file"`);
    }
    const input = schema.safeParse(b.input);
    if (!input.success) throw new ApiProblem(422, ErrorCode.ValidationFailed, `invalid input for ${type}`, { errors: issues(input.error, 'input.') });
    return this.create({
      id: uuidv7(),
      tenant,
      type,
      input: { kind: 'json', data: input.data },
      notify: b.notify ?? null,
      metadata: b.metadata ?? null,
      priority: b.priority ?? 0,
      runAt: b.run_at ? new Date(b.run_at).toISOString() : null,
      maxAttempts: b.max_attempts ?? null,
      timeoutMs: b.timeout_s ? b.timeout_s * 1000 : null,
      idempotency: idempotencyKey ? { key: idempotencyKey, fingerprint: fingerprint(['json', canonical(raw)]) } : null,
    });
  }

  async submitMultipart(tenant: string, req: FastifyRequest, idempotencyKey?: string): Promise<CreateJobReply> {
    const id = uuidv7();
    const key = `inputs/${id}`;
    const fields: Record<string, string> = {};
    let file: (FileRef & { sha256: string | null }) | undefined;
    try {
      for await (const part of req.parts()) {
        if (part.type === 'field') {
          if (!MULTIPART_FIELDS.has(part.fieldname)) throw new ApiProblem(422, ErrorCode.ValidationFailed, `unknown form field "${part.fieldname.slice(0, 64)}"; fields: ${[...MULTIPART_FIELDS].join(', ')}`);
          const bad = unstorable(String(part.value));
          if (bad) throw new ApiProblem(422, ErrorCode.ValidationFailed, `the field "${part.fieldname}": ${UNSTORABLE_MESSAGE[bad]}`);
          if (part.fieldname in fields) throw new ApiProblem(422, ErrorCode.ValidationFailed, `the form field "${part.fieldname}" is given more than once`);
          fields[part.fieldname] = String(part.value);
        } else if (file || part.fieldname !== 'file') {
          await part.toBuffer().catch(() => undefined);
          throw new ApiProblem(400, ErrorCode.ValidationFailed, `unexpected file field "${part.fieldname}": send one file, in the field "file"`);
        } else {
          file = await this.storeUpload(key, part, !!idempotencyKey);
        }
      }
      const type = this.knownType(fields.type);
      const spec = JOB_SPECS[type];
      if (spec.input !== 'file') throw new ApiProblem(415, ErrorCode.UnsupportedMediaType, `${type} takes JSON: send application/json with {"type","input"}`);
      if (!file) throw new ApiProblem(400, ErrorCode.MissingFile, `${type} needs a file: add the field "file" to the form`);
      if (file.size === 0) throw new ApiProblem(422, ErrorCode.EmptyFile, `the file "${file.filename}" is empty`);
      if (!spec.accepts?.includes(file.format as never)) {
        const what = file.format === 'unknown' ? 'an unrecognised format' : file.format.toUpperCase();
        throw new ApiProblem(415, ErrorCode.UnsupportedMediaType, `the file "${file.filename}" is ${what}; ${type} accepts ${spec.accepts?.join(', ').toUpperCase()}`);
      }
      const { sha256, ...ref } = file;
      const reply = await this.create({
        id,
        tenant,
        type,
        input: { kind: 'file', file: ref },
        notify: this.multipartNotify(fields),
        metadata: this.parseField('metadata', fields.metadata, (v) => Metadata.parse(parseJsonText(v))),
        priority: this.parseField('priority', fields.priority, (v) => SubmitJobBody.shape.priority.parse(wholeNumber(v))) ?? 0,
        // The same rules as in a JSON body (one definition, in the contract).
        runAt: this.parseField('run_at', fields.run_at, (v) => new Date(SubmitJobBody.shape.run_at.parse(v)!).toISOString()),
        maxAttempts: this.parseField('max_attempts', fields.max_attempts, (v) => SubmitJobBody.shape.max_attempts.parse(wholeNumber(v))!),
        idempotency: idempotencyKey ? { key: idempotencyKey, fingerprint: fingerprint(['multipart', canonical(fields), sha256 ?? '']) } : null,
      });
      // An idempotent replay answered with the first job: this upload is not needed.
      if (reply.job.id !== id) await this.storage.delete(key);
      return reply;
    } catch (e) {
      if (file) await this.storage.delete(key).catch((d) => this.log.warn(`could not remove ${key}: ${(d as Error).message}`));
      if (!(e instanceof ApiProblem) && MALFORMED_MULTIPART.test((e as Error)?.message ?? '')) {
        throw new ApiProblem(400, ErrorCode.ValidationFailed, `the multipart/form-data body is malformed: ${(e as Error).message}`);
      }
      throw e;
    }
  }

  async get(tenant: string, id: string): Promise<JobRecord> {
    return this.rpc.request<JobRecord>(this.s.trackerGet, { tenant, id });
  }

  list(req: ListJobsRequest): Promise<ListJobsReply> {
    return this.rpc.request<ListJobsReply>(this.s.trackerList, req);
  }

  cancel(tenant: string, id: string, purge: boolean): Promise<JobRecord> {
    return this.rpc.request<JobRecord>(this.s.trackerCancel, { tenant, id, purge });
  }

  retry(tenant: string, id: string): Promise<JobRecord> {
    return this.rpc.request<JobRecord>(this.s.trackerRetry, { tenant, id });
  }

  transitions(tenant: string, id: string, after = 0): Promise<TransitionView[]> {
    return this.rpc.request<TransitionView[]>(this.s.trackerTransitions, { tenant, id, after });
  }

  /** The result body of a completed job: from object storage, or from its row (small results). */
  async result(tenant: string, id: string): Promise<{ job: JobRecord; body?: Buffer }> {
    const job = await this.get(tenant, id);
    // A purged job's result is gone by request: the caller answers 410 gone for it.
    if (job.status !== 'completed' || !job.result || job.purged) return { job };
    const gone = () => new ApiProblem(410, ErrorCode.Gone, 'the result has been deleted');
    if (job.result.key === undefined) {
      const { body } = await this.rpc.request<ResultBodyReply>(this.s.trackerResult, { tenant, id });
      if (body === null) throw gone();
      return { job, body: Buffer.from(body) };
    }
    try {
      return { job, body: await this.storage.get(job.result.key) };
    } catch (e) {
      if (e instanceof ObjectNotFoundError) throw gone();
      throw e;
    }
  }

  /** A job made by the gateway itself, with the create deadline. */
  create(req: CreateJobRequest): Promise<CreateJobReply> {
    return this.commit(this.s.trackerCreate, req.tenant, req.id, req);
  }

  /** An inbound text message: job-tracker checks its Twilio signature and makes the `sms.inbound` job. */
  receiveInboundSms(req: Omit<ReceiveInboundRequest, 'id' | 'deadline'>): Promise<CreateJobReply> {
    const id = uuidv7();
    return this.commit(smsSubjects(this.config.NATS_PREFIX).receiveInbound, req.tenant, id, { ...req, id });
  }

  private async commit(subject: string, tenant: string, id: string, req: object): Promise<CreateJobReply> {
    const deadline = Date.now() + this.config.RPC_TIMEOUT_MS;
    try {
      return await this.rpc.request<CreateJobReply>(subject, { ...req, deadline }, { timeoutMs: this.config.RPC_TIMEOUT_MS + CREATE_REPLY_GRACE_MS });
    } catch (e) {
      if (!(e instanceof RpcFailure) || e.status !== 503) throw e;
      // Request-reply is at most once: across a NATS restart the reply can be lost after the job
      // was committed. Past the deadline job-tracker commits nothing more, so one look tells a
      // lost reply (the job exists: it is accepted) from a job that was never made (503 stands).
      const made = await this.rpc.request<JobRecord>(this.s.trackerGet, { tenant, id }).catch(() => null);
      if (made) return { job: made, replayed: false };
      throw e;
    }
  }

  /** Internal types (`sms.inbound`) are unknown here: they have their own entry point. */
  private knownType(type: unknown): JobType {
    if (type === undefined || type === '') throw new ApiProblem(422, ErrorCode.ValidationFailed, `the field "type" is required; one of: ${PUBLIC_JOB_TYPES.join(', ')}`);
    if (!isPublicJobType(type)) throw new ApiProblem(422, ErrorCode.UnknownJobType, `unknown job type "${String(type).slice(0, 64)}"; one of: ${PUBLIC_JOB_TYPES.join(', ')}`);
    return type;
  }

  /** `notify` (a JSON object, as in a JSON submission) and/or `callback_url` (its webhook, the seed's field). */
  private multipartNotify(fields: Record<string, string>): NotifyTargets | null {
    const notify = this.parseField('notify', fields.notify, (v) => NotifyTargets.parse(parseJsonText(v)));
    const callback = this.parseField('callback_url', fields.callback_url, (v) => NotifyTargets.parse({ webhook: v }));
    if (notify?.webhook && callback) throw new ApiProblem(422, ErrorCode.ValidationFailed, 'give the webhook once: "callback_url" or "notify" with "webhook", not both');
    this.receivers.assertReachable({ 'notify.webhook': notify?.webhook, callback_url: callback?.webhook });
    return notify || callback ? { ...notify, ...callback } : null;
  }

  private parseField<T>(name: string, value: string | undefined, parse: (v: string) => T): T | null {
    if (value === undefined || value === '') return null;
    try {
      return parse(value);
    } catch (e) {
      const message = e instanceof z.ZodError ? e.issues.map((i) => i.message).join('; ') : (e as Error).message;
      throw new ApiProblem(422, ErrorCode.ValidationFailed, `invalid field "${name}": ${message}`, { errors: [{ field: name, message }] });
    }
  }

  /** Streams one upload into storage while keeping its head for sniffing; over the limit → 413. */
  private async storeUpload(key: string, part: MultipartFile, hashed: boolean): Promise<FileRef & { sha256: string | null }> {
    // A body cut short before the file's closing boundary: the plugin has already destroyed the
    // part, and piping a destroyed stream never settles (the request hung — found by fuzzing).
    if (part.file.destroyed) throw new ApiProblem(400, ErrorCode.ValidationFailed, 'the multipart body ended before the file was complete');
    const tap = new UploadTap(SNIFF_BYTES, hashed);
    // A new job id's key: nobody reads it before the job exists (fresh: no temp file and rename).
    const done = this.storage.put(key, tap, { contentType: 'application/octet-stream', fresh: true });
    await pipeline(part.file, tap).catch(async (e) => {
      await done.catch(() => undefined);
      throw e;
    });
    const { size } = await done;
    if (part.file.truncated) {
      await this.storage.delete(key);
      throw new ApiProblem(413, ErrorCode.PayloadTooLarge, `the file is larger than the limit of ${this.config.MAX_UPLOAD_BYTES} bytes`);
    }
    const filename = (part.filename || 'upload').replace(/[\u0000-\u001f/\\]/g, '_').slice(0, 255);
    const format = sniffFormat(tap.head, filename);
    return { key, filename, contentType: mimeOf(format), format, size, sha256: tap.digest() };
  }
}

/** JSON with sorted keys, so the same request always gives the same fingerprint. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

function fingerprint(parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

/** A form field holding a whole number ("abc" read as NaN said "expected number, received NaN"). */
function wholeNumber(v: string): number {
  if (!/^\s*-?\d{1,15}\s*$/.test(v)) throw new Error(`"${v.slice(0, 40)}" is not a whole number`);
  return Number(v);
}
