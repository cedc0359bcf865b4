import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { NatsConnection, Subscription } from 'nats';
import { Subjects } from '@jobdesk/contracts';
import { NATS_CONNECTION, SUBJECTS } from '@jobdesk/messaging';
import { JobRunner } from './job-runner';

/**
 * job-tracker announces every cancel on core NATS; the worker running that job stops the attempt.
 * A lost announcement only means the attempt runs to its end, as if it had finished just before
 * the cancel: its outcome is ignored either way (canceled is terminal).
 */
@Injectable()
export class CancelListener implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('cancel');
  private sub?: Subscription;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SUBJECTS) private readonly s: Subjects,
    private readonly runner: JobRunner,
  ) {}

  onApplicationBootstrap(): void {
    const prefix = this.s.canceled('');
    this.sub = this.nc.subscribe(this.s.canceledAll, {
      callback: (err, m) => {
        if (err) return;
        const jobId = m.subject.slice(prefix.length);
        if (this.runner.cancel(jobId)) this.log.log(`job ${jobId} canceled: its attempt here is stopped`);
      },
    });
  }

  onModuleDestroy(): void {
    this.sub?.unsubscribe();
  }
}
