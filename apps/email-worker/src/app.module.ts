import { Module } from '@nestjs/common';
import { jobProcessor, WorkerAppModule } from '@jobdesk/queue';
import { SendEmailHandler } from './email/send-email.handler';
import { EmailRenderer } from './email/email-renderer';
import { Mailer, SmtpMailer } from './email/mailer';

@Module({
  imports: [WorkerAppModule.forQueue('email-worker', 'email.send')],
  providers: [jobProcessor('email.send', SendEmailHandler), SendEmailHandler, EmailRenderer, { provide: Mailer, useClass: SmtpMailer }],
})
export class AppModule {}
