import { DynamicModule, Global, Module } from '@nestjs/common';
import { subjects } from '@jobdesk/contracts';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';
import { APP_NAME, connectNats, NatsLifecycle, NATS_CONNECTION } from './nats-connection';
import { SUBJECTS } from './tokens';
import { JetStreamSetup } from './streams';
import { EventPublisher, JetStreamEventPublisher } from './event-publisher';
import { RpcClient } from './rpc';

/** NATS for one app: the connection, its subjects, the streams, an event publisher and an RPC client. */
@Global()
@Module({})
export class MessagingModule {
  static forRoot(appName: string): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        { provide: APP_NAME, useValue: appName },
        { provide: NATS_CONNECTION, inject: [APP_CONFIG], useFactory: (c: AppConfig) => connectNats(c, appName) },
        { provide: SUBJECTS, inject: [APP_CONFIG], useFactory: (c: AppConfig) => subjects(c.NATS_PREFIX) },
        NatsLifecycle,
        JetStreamSetup,
        { provide: EventPublisher, useClass: JetStreamEventPublisher },
        RpcClient,
      ],
      exports: [NATS_CONNECTION, SUBJECTS, EventPublisher, RpcClient, APP_NAME],
    };
  }
}
