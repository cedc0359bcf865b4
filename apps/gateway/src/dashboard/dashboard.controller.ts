import { Controller, Get, Param, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ErrorCode, TransitionView } from '@jobdesk/contracts';
import { ObjectNotFoundError, ObjectStorage } from '@jobdesk/storage';
import { ApiProblem } from '../problems/api-problem';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { JobsService } from '../jobs/jobs.service';
import { Tenant } from '../jobs/tenant.decorator';
import { JobId } from '../jobs/job-id.param';

/**
 * The dashboard may run only its own scripts and styles and call this origin. `blob:` frames and
 * images show an uploaded input the page fetched with its API key (never a URL carrying the key).
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  'frame-src blob:',
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Where `vite build` put the dashboard: dist/dashboard, beside dist/apps. */
function dashboardDir(): string {
  const candidates = [resolve(__dirname, '../../../../dashboard'), resolve(process.cwd(), 'dist/dashboard')];
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? candidates[0];
}

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
  woff2: 'font/woff2',
  map: 'application/json; charset=utf-8',
};
const cache = new Map<string, Buffer>();
function file(path: string): Buffer | undefined {
  let b = cache.get(path);
  if (!b) {
    if (!existsSync(path)) return undefined;
    b = readFileSync(path);
    cache.set(path, b);
  }
  return b;
}

/** `GET /` and its hashed assets: public (the page asks for an API key and sends it on its own calls). */
@Controller()
export class DashboardController {
  private readonly dir = dashboardDir();

  @Get()
  async index(@Res() res: FastifyReply): Promise<void> {
    const html = file(join(this.dir, 'index.html'));
    if (!html) throw new ApiProblem(404, ErrorCode.NotFound, 'the dashboard is not built: run npm run build');
    await res
      .header('Content-Type', 'text/html; charset=utf-8')
      .header('Cache-Control', 'no-cache')
      .header('Content-Security-Policy', DASHBOARD_CSP)
      .send(html);
  }

  @Get('assets/:name')
  async asset(@Param('name') name: string, @Res() res: FastifyReply): Promise<void> {
    const ext = /^[\w.-]+\.(\w+)$/.exec(name)?.[1];
    const body = ext && Object.hasOwn(TYPES, ext) && !name.startsWith('.') ? file(join(this.dir, 'assets', name)) : undefined;
    if (!body) throw new ApiProblem(404, ErrorCode.NotFound, 'no such dashboard asset');
    // File names carry a content hash: a new build gets new names.
    await res
      .header('Content-Type', TYPES[ext!])
      .header('Cache-Control', 'public, max-age=31536000, immutable')
      .header('Content-Security-Policy', DASHBOARD_CSP)
      .send(body);
  }
}

/** What the uploaded bytes are, judged by their start (as the gateway judged them on upload). */
function sniff(b: Buffer): { type: string; ext: string } {
  const head = b.subarray(0, 8).toString('latin1');
  if (head.startsWith('%PDF-')) return { type: 'application/pdf', ext: 'pdf' };
  if (head.startsWith('PK\u0003\u0004')) return { type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', ext: 'docx' };
  if (head.startsWith('\u00d0\u00cf\u0011\u00e0')) return { type: 'application/msword', ext: 'doc' };
  if (head.startsWith('{\\rtf')) return { type: 'application/rtf', ext: 'rtf' };
  return { type: 'text/plain; charset=utf-8', ext: 'txt' };
}

/** Read-only views the dashboard needs beyond the job API: a job's uploaded input and its transitions. */
@Controller('v1/jobs/:id')
@UseGuards(ApiKeyGuard)
export class DashboardApiController {
  constructor(
    private readonly jobs: JobsService,
    private readonly storage: ObjectStorage,
  ) {}

  /** The file handed in with the job (resume jobs); 404 for JSON jobs, 410 once purged. */
  @Get('input')
  async input(@Tenant() tenant: string, @JobId() id: string, @Res() res: FastifyReply): Promise<void> {
    const job = await this.jobs.get(tenant, id); // 404 for another tenant's job
    if (job.purged) throw new ApiProblem(410, ErrorCode.Gone, "the job's data was purged");
    let body: Buffer;
    try {
      body = await this.storage.get(`inputs/${job.id}`);
    } catch (e) {
      if (e instanceof ObjectNotFoundError) throw new ApiProblem(404, ErrorCode.NotFound, 'this job has no input file');
      throw e;
    }
    const { type, ext } = sniff(body);
    await res
      .header('Content-Type', type)
      .header('Content-Disposition', `inline; filename="${job.id}.${ext}"`)
      .header('Cache-Control', 'private, no-store')
      // Shown on its own, the upload may do nothing: no scripts, no requests, its own origin.
      .header('Content-Security-Policy', "default-src 'none'; sandbox; frame-ancestors 'self'")
      .send(body);
  }

  /** The job's status history, oldest first. */
  @Get('transitions')
  async transitions(@Tenant() tenant: string, @JobId() id: string): Promise<{ data: TransitionView[] }> {
    const job = await this.jobs.get(tenant, id);
    return { data: await this.jobs.transitions(tenant, job.id) };
  }
}
