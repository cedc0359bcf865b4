import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { Subjects, WorkerEvent } from '@jobdesk/contracts';
import { DurableConsumer, NATS_CONNECTION, SUBJECTS, validated } from '@jobdesk/messaging';
import { childSpan, withLogContext } from '@jobdesk/observability';
import { JobsService } from './jobs.service';

/** Events applied at once; below DATABASE_POOL_MAX's default, so RPC and the reconciler still get connections. */
const EVENT_CONCURRENCY = 6;

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
