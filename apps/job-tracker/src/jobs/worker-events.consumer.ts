import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { Subjects, WorkerEvent } from '@jobdesk/contracts';
import { DurableConsumer, NATS_CONNECTION, PoisonMessageError, SUBJECTS } from '@jobdesk/messaging';
import { childSpan, withLogContext } from '@jobdesk/observability';
import { JobsService } from './jobs.service';

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
    this.consumer = new DurableConsumer(this.nc, { stream: this.s.streams.events, durable: this.s.consumers.tracker }, (data) => {
      const event = WorkerEvent.safeParse(data);
      if (!event.success) throw new PoisonMessageError(event.error.message);
      const { jobId, tenant, attempt } = event.data.data;
      return withLogContext({ jobId, tenant, attempt, correlationId: event.data.correlationId, ...childSpan(event.data.traceparent) }, () => this.jobs.applyEvent(event.data));
    });
    await this.consumer.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.consumer?.stop();
  }
}
