import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { Subjects, WorkerEvent } from '@jobdesk/contracts';
import { DurableConsumer, NATS_CONNECTION, SUBJECTS, validated } from '@jobdesk/messaging';
import { childSpan, withLogContext } from '@jobdesk/observability';
import { JobsService } from './jobs.service';

/**
 * Events in hand at once (different jobs). Their writes share statements (JobStatements'
 * group commit), so more in hand means fuller batches, not more connections: with 6, a burst of
 * 300 jobs/s had its completions wait 1.6 s in the stream while the tracker sat half idle.
 */
const EVENT_CONCURRENCY = 64;

/** Worker events from JetStream into the state machine; acked only after the commit. */
@Injectable()
export class WorkerEventsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private consumer?: DurableConsumer;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SUBJECTS) private readonly s: Subjects,
    private readonly jobs: JobsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Jobs in parallel (each event is a short transaction of its own), one job's events in order.
    this.consumer = new DurableConsumer(
      this.nc,
      { stream: this.s.streams.events, durable: this.s.consumers.tracker, concurrency: EVENT_CONCURRENCY },
      validated(WorkerEvent, (event) => {
        const { jobId, tenant, attempt } = event.data;
        return withLogContext({ jobId, tenant, attempt, correlationId: event.correlationId, ...childSpan(event.traceparent) }, () => this.jobs.applyEvent(event));
      }),
    );
    await this.consumer.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.consumer?.stop();
  }
}
