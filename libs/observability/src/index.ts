export * from './metrics';
export * from './health';
export * from './observability.module';
export * from './log-context';
export * from './logger';
export * from './line-buffer';
