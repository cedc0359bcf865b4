import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { NatsConnection, Subscription } from 'nats';
import { CreateJobRequest, GetJobRequest, Subjects } from '@jobdesk/contracts';
import { NATS_CONNECTION, SUBJECTS, serveRpc } from '@jobdesk/messaging';
import { JobsService } from './jobs.service';

/** The gateway's questions over NATS request-reply; each handler is one call into JobsService. */
@Injectable()
export class TrackerRpcServer implements OnApplicationBootstrap, OnModuleDestroy {
  private subs: Subscription[] = [];

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SUBJECTS) private readonly s: Subjects,
    private readonly jobs: JobsService,
  ) {}

  onApplicationBootstrap(): void {
    this.subs = [
      serveRpc(this.nc, this.s.trackerCreate, 'job-tracker', CreateJobRequest, (req) => this.jobs.create(req)),
      serveRpc(this.nc, this.s.trackerGet, 'job-tracker', GetJobRequest, (req) => this.jobs.get(req)),
    ];
  }

  async onModuleDestroy(): Promise<void> {
    // Drain: stop taking requests, let the ones in hand answer.
    await Promise.all(this.subs.map((s) => s.drain().catch(() => undefined)));
  }
}
