import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { ErrorCode } from '@jobdesk/contracts';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { ApiProblem } from '../problems/api-problem';

/**
 * Requests per second per API key, counted in Redis so the limit holds across gateway
 * replicas. A fixed one-second window: simple, and the worst burst is twice the limit.
 * If Redis is unreachable the request goes through: availability beats strictness here.
 */
@Injectable()
export class RateLimiter implements OnApplicationShutdown {
  private readonly redis: Redis;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.redis.on('error', () => undefined);
  }

  async take(keyId: string): Promise<void> {
    const limit = this.config.RATE_LIMIT_PER_SECOND;
    if (!limit) return;
    const second = Math.floor(Date.now() / 1000);
    const counter = `${this.config.QUEUE_PREFIX}:ratelimit:${keyId}:${second}`;
    let count: number;
    try {
      if (this.redis.status === 'wait') await this.redis.connect();
      const res = await this.redis.multi().incr(counter).expire(counter, 2).exec();
      count = Number(res?.[0]?.[1] ?? 0);
    } catch {
      return;
    }
    if (count > limit) throw new ApiProblem(429, ErrorCode.RateLimited, `more than ${limit} requests per second for this key`, { retryAfterS: 1 });
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
