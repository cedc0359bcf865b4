import { Module } from '@nestjs/common';
import { jobProcessor, NoopHandler, WorkerAppModule } from '@jobdesk/queue';
import { SendEmailHandler } from './email/send-email.handler';
import { EmailRenderer } from './email/email-renderer';
import { Mailer, SmtpMailer } from './email/mailer';

@Module({
  imports: [WorkerAppModule.forQueues('email-worker', ['email.send', 'noop'])],
  providers: [jobProcessor('email.send', SendEmailHandler), SendEmailHandler, jobProcessor('noop', NoopHandler), NoopHandler, EmailRenderer, { provide: Mailer, useClass: SmtpMailer }],
})
export class AppModule {}
