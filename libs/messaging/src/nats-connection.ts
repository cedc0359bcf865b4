import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { connect, NatsConnection } from 'nats';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { coalesceNatsWrites } from './coalesce-writes';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const APP_NAME = Symbol('APP_NAME');

export async function connectNats(config: AppConfig, name: string): Promise<NatsConnection> {
  if (!coalesceNatsWrites()) new Logger('nats').warn('this nats.js version is not the one coalesceNatsWrites knows: one write per command batch as before');
  const nc = await connect({
    servers: config.NATS_URL.split(','),
    name,
    // Keep trying for ever: NATS restarts must not take the app down, only pause it.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: true,
    // A stack captured for every request and JetStream publish, only to decorate a timeout's
    // error: a few per cent of the gateway's and a worker's CPU. Our errors name the subject.
    noAsyncTraces: true,
  });
  const log = new Logger('nats');
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnect') log.warn(`${s.type} ${String(s.data ?? '')}`);
    }
  })();
  return nc;
}

/** Drains the connection on shutdown so in-flight publishes and replies still go out. */
@Injectable()
export class NatsLifecycle implements OnApplicationShutdown {
  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}
  async onApplicationShutdown(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => this.nc.close());
  }
}

export { AppConfig, APP_CONFIG };
