import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import { EmailSendInput, JobFinishedData, OrderConfirmationData } from '@jobdesk/contracts';
import { orderConfirmation } from '../templates/order-confirmation.template';
import { jobFinished } from '../templates/job-finished.template';

export interface RenderedEmail {
  subject: string;
  text?: string;
  html?: string;
}

/**
 * Renders `email.send` inputs. Templates are compiled once; the HTML part escapes every value
 * (a customer named `<script>` stays text), the text part does not need to.
 */
@Injectable()
export class EmailRenderer {
  private readonly html = Handlebars.create();
  private readonly text = Handlebars.create();
  private readonly order;
  private readonly finished;

  constructor() {
    for (const hb of [this.html, this.text]) {
      hb.registerHelper('times', (a: number, b: number) => a * b);
    }
    const compileBoth = (t: typeof orderConfirmation) => ({
      subject: this.text.compile(t.subject, { noEscape: true, strict: true }),
      text: this.text.compile(t.text, { noEscape: true }),
      html: this.html.compile(t.html),
    });
    this.order = compileBoth(orderConfirmation);
    this.finished = compileBoth(jobFinished);
  }

  render(input: EmailSendInput): RenderedEmail {
    if (input.template === undefined) return { subject: input.subject, text: input.text, html: input.html };
    if (input.template === 'job-finished') {
      const ctx = JobFinishedData.parse(input.data);
      return { subject: this.finished.subject(ctx), text: this.finished.text(ctx), html: this.finished.html(ctx) };
    }
    const data = OrderConfirmationData.parse(input.data);
    const money = new Intl.NumberFormat('en', { style: 'currency', currency: data.currency });
    const helpers = { money: (n: number) => money.format(n) };
    const total = data.items.reduce((sum, i) => sum + i.quantity * i.unit_price, 0);
    const ctx = { ...data, total };
    return {
      subject: this.order.subject(ctx, { helpers }),
      text: this.order.text(ctx, { helpers }),
      html: this.order.html(ctx, { helpers }),
    };
  }
}
