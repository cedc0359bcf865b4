import { Inject, OnApplicationBootstrap, Type } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { JobRunner } from './job-runner';
import type { JobHandler } from './job-handler';

/**
 * The BullMQ processor class for one queue: every job goes through JobRunner to the handler.
 * Apps declare `export const XProcessor = jobProcessor('x.y', XHandler)` and list both as providers.
 */
export function jobProcessor(queue: string, handler: Type<JobHandler>): Type<WorkerHost> {
  @Processor(queue)
  class QueueProcessor extends WorkerHost implements OnApplicationBootstrap {
    constructor(
      private readonly runner: JobRunner,
      @Inject(handler) private readonly jobHandler: JobHandler,
      @Inject(APP_CONFIG) private readonly config: AppConfig,
    ) {
      super();
    }

    onApplicationBootstrap(): void {
      this.worker.concurrency = Math.max(1, this.config.WORKER_CONCURRENCY);
    }

    process(job: Job): Promise<unknown> {
      return this.runner.run(job, this.jobHandler);
    }
  }
  Object.defineProperty(QueueProcessor, 'name', { value: `${queue}-processor` });
  return QueueProcessor;
}
