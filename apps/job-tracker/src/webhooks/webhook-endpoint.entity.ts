import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { WebhookEventType } from '@jobdesk/contracts';

/** A tenant's registered webhook receiver: its own secret, the events it wants, its health. */
@Entity({ tableName: 'webhook_endpoint' })
export class WebhookEndpoint {
  [OptionalProps]?: 'enabled' | 'description' | 'previousSecret' | 'previousUntil' | 'disabledReason' | 'disabledAt' | 'failingSince' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'text' })
  tenant!: string;

  @Property({ type: 'text' })
  url!: string;

  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  @Property({ type: 'text[]' })
  events!: WebhookEventType[];

  @Property({ type: 'text' })
  secret!: string;

  /** The secret before the last rotation, still sent (a second signature) until `previousUntil`. */
  @Property({ type: 'text', nullable: true })
  previousSecret: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  previousUntil: Date | null = null;

  @Property({ type: 'boolean' })
  enabled = true;

  @Property({ type: 'text', nullable: true })
  disabledReason: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  disabledAt: Date | null = null;

  /** The first failed attempt since the last success. */
  @Property({ type: 'timestamptz', nullable: true })
  failingSince: Date | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
