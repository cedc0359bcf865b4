import { BeforeApplicationShutdown, Inject, OnApplicationBootstrap, Type } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { JobRunner } from './job-runner';
import type { JobHandler } from './job-handler';

/**
 * A BullMQ processor whose jobs in hand finish — and their events reach NATS — before NATS
 * drains. @nestjs/bullmq closes its workers at application shutdown, the hook in which the NATS
 * connection drains too, at the same time: an attempt ending during the drain could not store
 * its event and was left active until BullMQ's stall check, about 30 s later (the chaos suite's
 * rolling restart: 12 s to drain instead of 0.5). @nestjs/bullmq's close, later, finds the worker
 * closed.
 */
export abstract class DrainingWorkerHost extends WorkerHost implements BeforeApplicationShutdown {
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }
}

/**
 * The BullMQ processor class for one queue: every job goes through JobRunner to the handler.
 * Apps declare `export const XProcessor = jobProcessor('x.y', XHandler)` and list both as providers.
 */
export function jobProcessor(queue: string, handler: Type<JobHandler>): Type<DrainingWorkerHost> {
  @Processor(queue)
  class QueueProcessor extends DrainingWorkerHost implements OnApplicationBootstrap {
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
