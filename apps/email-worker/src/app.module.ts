import { Module } from '@nestjs/common';
import { jobProcessor, NoopHandler, WorkerAppModule } from '@jobdesk/queue';
import { SendEmailHandler } from './email/send-email.handler';
import { EmailRenderer } from './email/email-renderer';
import { Mailer, SmtpMailer } from './email/mailer';
import { SendSmsHandler } from './sms/send-sms.handler';
import { SmsSender, TwilioSmsSender } from './sms/sms-sender';
import { RpcSmsOptOuts, SmsOptOuts } from './sms/sms-opt-outs';

/** Outgoing messages (email.send, sms.send), plus the no-op job used to measure the pipeline. */
@Module({
  imports: [WorkerAppModule.forQueues('email-worker', ['email.send', 'sms.send', 'noop'])],
  providers: [
    jobProcessor('email.send', SendEmailHandler),
    SendEmailHandler,
    EmailRenderer,
    { provide: Mailer, useClass: SmtpMailer },
    jobProcessor('sms.send', SendSmsHandler),
    SendSmsHandler,
    { provide: SmsSender, useClass: TwilioSmsSender },
    { provide: SmsOptOuts, useClass: RpcSmsOptOuts },
    jobProcessor('noop', NoopHandler),
    NoopHandler,
  ],
})
export class AppModule {}
