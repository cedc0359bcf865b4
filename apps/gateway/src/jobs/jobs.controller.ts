import { Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, JobView } from '@jobdesk/contracts';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { ApiProblem } from '../problems/api-problem';
import { JobsService } from './jobs.service';
import { toJobView } from './job-view';
import { Tenant } from './tenant.decorator';

/** The job API. The seed's spellings (`/job`, `/job/:id`, `/result/:id`) answer the same. */
@Controller()
export class JobsController {
  constructor(
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post(['v1/jobs', 'job'])
  @HttpCode(202)
  async submit(@Tenant() tenant: string, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply): Promise<JobView> {
    const record = req.isMultipart() ? await this.jobs.submitMultipart(tenant, req) : await this.jobs.submitJson(tenant, req.body);
    const view = toJobView(record);
    void res.header('Location', view.links.self).header('Retry-After', String(this.config.POLL_AFTER_S));
    return view;
  }

  @Get(['v1/jobs/:id', 'job/:id'])
  async get(@Tenant() tenant: string, @Param('id') id: string, @Res({ passthrough: true }) res: FastifyReply): Promise<JobView> {
    const view = toJobView(await this.jobs.get(tenant, id));
    if (view.status === 'queued' || view.status === 'processing') void res.header('Retry-After', String(this.config.POLL_AFTER_S));
    return view;
  }

  @Get(['v1/jobs/:id/result', 'result/:id'])
  async result(@Tenant() tenant: string, @Param('id') id: string, @Res() res: FastifyReply): Promise<void> {
    const { job, body } = await this.jobs.result(tenant, id);
    if (!body) {
      if (job.status === 'failed' || job.status === 'canceled') {
        throw new ApiProblem(409, job.status === 'failed' ? 'job_failed' : 'job_canceled', `the job ${job.status}${job.error ? `: ${job.error.code}: ${job.error.message}` : ''}; it has no result`);
      }
      throw new ApiProblem(409, ErrorCode.ResultNotReady, `the job is ${job.status}; the result is not ready yet`, { retryAfterS: this.config.POLL_AFTER_S });
    }
    await res.status(200).header('Content-Type', job.result?.contentType ?? 'application/json').send(body);
  }
}
