import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { JobStatus } from '@jobdesk/contracts';
import { Job } from './job.entity';

/** One row per status change: the job's timeline, and the proof that nothing completed twice. */
@Entity({ tableName: 'job_transition' })
@Index({ name: 'job_transition_job_idx', properties: ['job', 'at'] })
export class JobTransition {
  [OptionalProps]?: 'at';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => Job, { fieldName: 'job_id', deleteRule: 'cascade' })
  job!: Job;

  @Property({ type: 'text', nullable: true })
  fromStatus!: JobStatus | null;

  @Property({ type: 'text' })
  toStatus!: JobStatus;

  @Property({ type: 'integer' })
  attempt!: number;

  /** The worker event that caused it, or null for API actions. */
  @Property({ type: 'text', nullable: true })
  eventId!: string | null;

  @Property({ type: 'timestamptz' })
  at: Date = new Date();
}
