import { Controller, Get, Header } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { Metrics } from './metrics';
import { READINESS_CHECKS, ReadinessCheck } from './health';

@Controller()
export class ObservabilityController {
  constructor(
    private readonly metrics: Metrics,
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly moduleRef: ModuleRef,
  ) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }

  /** Alive = the event loop answers; dependencies are readiness's business. */
  @Get('health/live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('health/ready')
  @HealthCheck()
  ready() {
    // The app module provides the checks; looked up app-wide since this module cannot import it.
    const checks = this.moduleRef.get<ReadinessCheck[]>(READINESS_CHECKS, { strict: false });
    return this.health.check(
      checks.map((c) => async () => {
        const probe = this.indicator.check(c.name);
        try {
          await withTimeout(c.check(), 2_000);
          return probe.up();
        } catch (e) {
          return probe.down({ message: (e as Error).message });
        }
      }),
    );
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);
}
