import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/** An API key: only its SHA-256 is stored; the id is the public part of the key. */
@Entity({ tableName: 'api_key' })
@Index({ name: 'api_key_tenant_idx', properties: ['tenant'] })
export class ApiKey {
  [OptionalProps]?: 'name' | 'admin' | 'createdAt' | 'revokedAt';

  @PrimaryKey({ type: 'text' })
  id!: string;

  @Property({ type: 'text' })
  tenant!: string;

  @Property({ type: 'text', nullable: true })
  name: string | null = null;

  @Property({ type: 'text' })
  hash!: string;

  /** Operators: may act for any tenant. */
  @Property({ type: 'boolean' })
  admin = false;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;
}
