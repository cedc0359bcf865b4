import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/** One webhook attempt: the delivery log clients read per job. */
@Entity({ tableName: 'webhook_delivery' })
@Index({ name: 'webhook_delivery_job_idx', properties: ['jobId', 'at'] })
@Unique({ name: 'webhook_delivery_event_uniq', properties: ['eventId'] })
export class WebhookDelivery {
  [OptionalProps]?: 'at' | 'endpointId';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  /** The attempt event's id: a re-delivered event is stored once. */
  @Property({ type: 'text' })
  eventId!: string;

  @Property({ type: 'uuid' })
  jobId!: string;

  @Property({ type: 'text' })
  tenant!: string;

  @Property({ type: 'text' })
  messageId!: string;

  @Property({ type: 'text' })
  url!: string;

  /** The registered endpoint; null for the job's own `notify.webhook` (or a deleted endpoint). */
  @Property({ type: 'uuid', nullable: true })
  endpointId: string | null = null;

  @Property({ type: 'integer' })
  attempt!: number;

  @Property({ type: 'integer', nullable: true })
  statusCode!: number | null;

  @Property({ type: 'integer' })
  latencyMs!: number;

  @Property({ type: 'text', nullable: true })
  error!: string | null;

  @Property({ type: 'text' })
  outcome!: string;

  @Property({ type: 'boolean' })
  final!: boolean;

  @Property({ type: 'timestamptz' })
  at: Date = new Date();
}
