import IORedis, { type RedisOptions } from 'ioredis';

/**
 * An ioredis client with auto-pipelining — the commands issued in one turn of the event loop
 * (jobs of a Worker that finish together: their moveToFinished) leave in one socket write —
 * whose `duplicate()`, which BullMQ calls for a Worker's blocking connection (BZPOPMIN), gives
 * a plain client: blocking commands are never auto-pipelined.
 */
export class PipelinedRedis extends IORedis {
  constructor(options: RedisOptions) {
    super({ ...options, enableAutoPipelining: true });
  }

  override duplicate(override?: Partial<RedisOptions>): IORedis {
    return new IORedis({ ...this.options, ...override, enableAutoPipelining: false });
  }
}
