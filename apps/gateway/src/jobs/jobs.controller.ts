import { Controller, Delete, Get, Headers, HttpCode, Inject, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ErrorCode, isJobType, JOB_TYPES, JobListView, JobView } from '@jobdesk/contracts';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { ApiProblem } from '../problems/api-problem';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { JobsService } from './jobs.service';
import { JobEventsService } from './job-events.service';
import { toJobView } from './job-view';
import { Tenant } from './tenant.decorator';
import { JobId } from './job-id.param';

const STATUSES = ['queued', 'processing', 'completed', 'failed', 'canceled'] as const;
/** A time PostgreSQL can compare with: ISO 8601 within 1970-9999 UTC (year 0000 or +10000 made the query fail: 503). */
const QueryTime = z
  .string()
  .datetime({ offset: true })
  .refine((v) => Date.parse(v) >= 0 && Date.parse(v) < Date.UTC(10000, 0, 1), { message: 'must be between 1970 and 9999' });
const ListQuery = z
  .object({
    status: z.string().optional(),
    type: z.string().max(64).optional(),
    created_after: QueryTime.optional(),
    created_before: QueryTime.optional(),
    limit: z.coerce.number().int().min(1).max(100).optional(),
    cursor: z.string().max(200).optional(),
  })
  .catchall(z.string().max(512));

/** The job API. The seed's spellings (`/job`, `/job/:id`, `/result/:id`) answer the same. */
@Controller()
@UseGuards(ApiKeyGuard)
export class JobsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly events: JobEventsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post(['v1/jobs', 'job'])
  @HttpCode(202)
  async submit(
    @Tenant() tenant: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<JobView> {
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,255}$/.test(idempotencyKey)) {
      throw new ApiProblem(400, ErrorCode.ValidationFailed, 'Idempotency-Key must be 1-255 visible ASCII characters');
    }
    const { job, replayed } = req.isMultipart() ? await this.jobs.submitMultipart(tenant, req, idempotencyKey) : await this.jobs.submitJson(tenant, req.body, idempotencyKey);
    const view = toJobView(job);
    void res.header('Location', view.links.self).header('Retry-After', String(this.config.POLL_AFTER_S));
    // The same key and body again: the first job, as it is now, and 200 rather than 202.
    if (replayed) void res.status(200).header('Idempotent-Replayed', 'true');
    return view;
  }

  @Get('v1/jobs')
  async list(@Tenant() tenant: string, @Query() raw: Record<string, string>): Promise<JobListView> {
    // PostgreSQL cannot hold NUL in text or JSON; a metadata filter with one made the query fail (503).
    if (Object.entries(raw).some(([k, v]) => k.includes('\u0000') || [v].flat().some((x) => String(x).includes('\u0000')))) {
      throw new ApiProblem(400, ErrorCode.ValidationFailed, 'query parameters may not contain NUL (%00) characters');
    }
    // A repeated parameter arrives as an array ("expected number, received NaN" for ?limit=1&limit=2).
    const repeated = Object.keys(raw).find((k) => Array.isArray(raw[k]));
    if (repeated) throw new ApiProblem(400, ErrorCode.ValidationFailed, `query parameter "${repeated}" is given more than once${repeated === 'status' ? '; list statuses with commas: status=failed,canceled' : ''}`);
    const q = ListQuery.safeParse(raw);
    if (!q.success) throw new ApiProblem(400, ErrorCode.ValidationFailed, 'invalid query', { errors: q.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })) });
    const { status, type, created_after, created_before, limit, cursor, ...rest } = q.data;
    const statuses = status ? status.split(',') : undefined;
    const bad = statuses?.find((s) => !(STATUSES as readonly string[]).includes(s));
    if (bad) throw new ApiProblem(400, ErrorCode.ValidationFailed, `unknown status "${bad}"; one of ${STATUSES.join(', ')}`);
    if (type !== undefined && !isJobType(type)) throw new ApiProblem(400, ErrorCode.ValidationFailed, `unknown type "${type}"; one of ${JOB_TYPES.join(', ')}`);
    const metadata = Object.fromEntries(Object.entries(rest).filter(([k]) => k.startsWith('metadata.')).map(([k, v]) => [k.slice('metadata.'.length), v]));
    // No job has an empty key or `__proto__` (refused in bodies), and the latter would vanish on its way to job-tracker: say so.
    const badKey = Object.keys(metadata).find((k) => k === '' || k === '__proto__' || k.length > 64);
    if (badKey !== undefined) throw new ApiProblem(400, ErrorCode.ValidationFailed, `"metadata.${badKey.slice(0, 70)}" names no metadata key a job can have`);
    const unknown = Object.keys(rest).find((k) => !k.startsWith('metadata.'));
    if (unknown) throw new ApiProblem(400, ErrorCode.ValidationFailed, `unknown query parameter "${unknown}"`);
    const page = await this.jobs.list({ tenant, status: statuses as never, type, createdAfter: created_after, createdBefore: created_before, metadata, limit: limit ?? 20, cursor });
    return { data: page.jobs.map(toJobView), next_cursor: page.nextCursor };
  }

  @Get(['v1/jobs/:id', 'job/:id'])
  async get(
    @Tenant() tenant: string,
    @JobId() id: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<JobView | undefined> {
    const view = toJobView(await this.jobs.get(tenant, id));
    if (view.status === 'queued' || view.status === 'processing') void res.header('Retry-After', String(this.config.POLL_AFTER_S));
    const wantsRedirect = /\breturn=redirect\b/.test(String(req.headers.prefer ?? '')) || (req.query as Record<string, string>).follow === '1';
    if (view.status === 'completed' && wantsRedirect && view.result_url) {
      void res.status(303).header('Location', view.result_url);
      return undefined;
    }
    const etag = `W/"${createHash('sha1').update(JSON.stringify(view)).digest('base64url')}"`;
    void res.header('ETag', etag).header('Cache-Control', 'no-cache');
    if (matchesIfNoneMatch(req.headers['if-none-match'], etag)) {
      void res.status(304);
      return undefined;
    }
    return view;
  }

  @Get('v1/jobs/:id/events')
  async stream(@Tenant() tenant: string, @JobId() id: string, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    await this.events.stream(tenant, id, req, res);
  }

  @Delete(['v1/jobs/:id', 'job/:id'])
  async cancel(@Tenant() tenant: string, @JobId() id: string, @Query('purge') purge?: string): Promise<JobView> {
    return toJobView(await this.jobs.cancel(tenant, id, purge === 'true' || purge === '1'));
  }

  @Post('v1/jobs/:id/retry')
  @HttpCode(202)
  async retry(@Tenant() tenant: string, @JobId() id: string): Promise<JobView> {
    return toJobView(await this.jobs.retry(tenant, id));
  }

  @Get(['v1/jobs/:id/result', 'result/:id'])
  async result(@Tenant() tenant: string, @JobId() id: string, @Res() res: FastifyReply): Promise<void> {
    const { job, body } = await this.jobs.result(tenant, id);
    if (job.purged) throw new ApiProblem(410, ErrorCode.Gone, 'the job\'s data was purged');
    if (!body) {
      if (job.status === 'failed' || job.status === 'canceled') {
        throw new ApiProblem(409, job.status === 'failed' ? 'job_failed' : 'job_canceled', `the job ${job.status}${job.error ? `: ${job.error.code}: ${job.error.message}` : ''}; it has no result`);
      }
      throw new ApiProblem(409, ErrorCode.ResultNotReady, `the job is ${job.status}; the result is not ready yet`, { retryAfterS: this.config.POLL_AFTER_S });
    }
    await res.status(200).header('Content-Type', job.result?.contentType ?? 'application/json').send(body);
  }
}

/**
 * If-None-Match (RFC 9110 13.1.2): `*`, or a list of entity tags one of which is ours, compared
 * weakly (W/ ignored).
 */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => opaque(tag) === opaque(etag));
}
