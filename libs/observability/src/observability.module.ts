import { DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Metrics } from './metrics';
import { ObservabilityController } from './observability.controller';

/** `/metrics`, `/health/live` and `/health/ready` for one app. The app provides READINESS_CHECKS. */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(app: string): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [ObservabilityController],
      providers: [{ provide: Metrics, useValue: new Metrics(app) }],
      exports: [Metrics],
    };
  }
}
