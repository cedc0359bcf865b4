import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { NatsConnection, RetentionPolicy, StorageType, StreamConfig } from 'nats';
import { Subjects } from '@jobdesk/contracts';
import { NATS_CONNECTION } from './nats-connection';
import { SUBJECTS } from './tokens';

const DAY_NS = 24 * 3600 * 1e9;

/** Creates (or updates) the JetStream streams every app relies on; idempotent, so every app runs it. */
@Injectable()
export class JetStreamSetup implements OnModuleInit {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SUBJECTS) private readonly s: Subjects,
  ) {}

  async onModuleInit(): Promise<void> {
    await ensureStreams(this.nc, this.s);
  }
}

export async function ensureStreams(nc: NatsConnection, s: Subjects): Promise<void> {
  const jsm = await nc.jetstreamManager();
  const wanted: Array<Partial<StreamConfig> & { name: string }> = [
    { name: s.streams.events, subjects: [s.eventsAll], retention: RetentionPolicy.Limits, max_age: 7 * DAY_NS },
    { name: s.streams.notify, subjects: [s.notifyAll], retention: RetentionPolicy.Limits, max_age: 7 * DAY_NS },
    { name: s.streams.deliveries, subjects: [s.deliveriesAll], retention: RetentionPolicy.Limits, max_age: 7 * DAY_NS },
  ];
  for (const cfg of wanted) {
    // A duplicate window lets publishers retry with the same Nats-Msg-Id without doubling events.
    const full = { ...cfg, storage: StorageType.File, duplicate_window: 2 * 60 * 1e9, num_replicas: 1 };
    try {
      await jsm.streams.info(cfg.name);
      await jsm.streams.update(cfg.name, full);
    } catch (e) {
      if (!/not found/i.test(String((e as Error).message))) throw e;
      await jsm.streams.add(full);
    }
  }
}

/** Removes a prefix's streams (tests). */
export async function deleteStreams(nc: NatsConnection, s: Subjects): Promise<void> {
  const jsm = await nc.jetstreamManager();
  for (const name of Object.values(s.streams)) await jsm.streams.delete(name).catch(() => undefined);
}
