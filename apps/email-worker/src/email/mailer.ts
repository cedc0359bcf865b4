import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { Transporter } from 'nodemailer';
import { AppConfig, APP_CONFIG } from '@jobdesk/config';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text?: string;
  html?: string;
  replyTo?: string;
  /** Stable per job, so a receiving server (or a human) can spot a re-send. */
  messageId: string;
}

export interface SentEmail {
  messageId: string;
  accepted: string[];
  rejected: string[];
  response: string;
}

/** Port: hand an email to an SMTP server. */
export abstract class Mailer {
  abstract send(mail: OutgoingEmail): Promise<SentEmail>;
}

@Injectable()
export class SmtpMailer extends Mailer implements OnApplicationShutdown {
  private readonly transport: Transporter;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
    // Pooled: one handshake serves many messages, which matters at queue speed.
    const url = new URL(config.SMTP_URL);
    url.searchParams.set('pool', 'true');
    this.transport = nodemailer.createTransport(url.toString(), { from: config.MAIL_FROM });
  }

  async send(mail: OutgoingEmail): Promise<SentEmail> {
    const info = await this.transport.sendMail({ ...mail, from: this.config.MAIL_FROM });
    return {
      messageId: info.messageId,
      accepted: info.accepted.map(String),
      rejected: info.rejected.map(String),
      response: info.response,
    };
  }

  onApplicationShutdown(): void {
    this.transport.close();
  }
}
