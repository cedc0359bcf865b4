export * from './tokens';
export * from './nats-connection';
export * from './streams';
export * from './event-publisher';
export * from './durable-consumer';
export * from './rpc';
export * from './reply-inbox';
export * from './messaging.module';
