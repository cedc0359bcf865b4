import { ErrorCode, JobInput } from '@jobdesk/contracts';
import { JobContext, JobFailure } from '@jobdesk/queue';
import { strictFake } from '@jobdesk/testing';
import { EmailRenderer } from './email-renderer';
import { Mailer, OutgoingEmail, SentEmail } from './mailer';
import { SendEmailHandler, smtpFailure } from './send-email.handler';

const ctx: JobContext = {
  jobId: '0190a0a0-0000-7000-8000-0000000000e1',
  tenant: 'acme',
  attempt: 1,
  correlationId: 'c',
  signal: new AbortController().signal,
  reportProgress: async () => undefined,
};
const literal = { to: 'ada@example.com', subject: 'Hello', text: 'plain', html: '<p>rich</p>', reply_to: 'ops@example.com' };
const json = (data: unknown): JobInput => ({ kind: 'json', data });
const smtpError = (responseCode: number | undefined, message: string) => Object.assign(new Error(message), { responseCode, response: responseCode ? `${responseCode} ${message}` : undefined });

describe('smtpFailure', () => {
  it.each([550, 554])('treats a %i reply as a final rejection', (code) => {
    const failure = smtpFailure(smtpError(code, 'mailbox unavailable'));

    expect(failure).toMatchObject({ code: ErrorCode.SmtpRejected, retryable: false });
  });

  it.each([421, 451])('retries after a %i reply', (code) => {
    const failure = smtpFailure(smtpError(code, 'try again later'));

    expect(failure).toMatchObject({ code: ErrorCode.SmtpUnavailable, retryable: true });
  });

  it('retries when the server cannot be reached', () => {
    const failure = smtpFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1025'), { code: 'ECONNREFUSED' }));

    expect(failure).toMatchObject({ code: ErrorCode.SmtpUnavailable, retryable: true });
    expect(failure.message).toContain('ECONNREFUSED');
  });

  it('keeps the server\'s reply in the message', () => {
    const failure = smtpFailure(smtpError(550, 'no such user'));

    expect(failure.message).toContain('550 no such user');
  });
});

describe('SendEmailHandler', () => {
  let sent: OutgoingEmail[];
  let reply: () => Promise<SentEmail>;
  let handler: SendEmailHandler;

  beforeEach(() => {
    sent = [];
    reply = async () => ({ messageId: `<${ctx.jobId}@jobdesk>`, accepted: [literal.to], rejected: [], response: '250 OK' });
    const mailer = strictFake<Mailer>('Mailer', {
      send: async (mail) => {
        sent.push(mail);
        return reply();
      },
    });
    handler = new SendEmailHandler(mailer, new EmailRenderer());
  });

  it('sends the rendered email to the recipient with a message id stable per job', async () => {
    await handler.execute(json(literal), ctx);

    expect(sent).toEqual([{
      to: literal.to,
      replyTo: literal.reply_to,
      subject: literal.subject,
      text: literal.text,
      html: literal.html,
      messageId: `<${ctx.jobId}@jobdesk>`,
    }]);
  });

  it('renders a template before sending', async () => {
    const input = json({ to: 'ada@example.com', template: 'order-confirmation', data: { order_id: 'ORD-7', customer_name: 'Ada', items: [{ name: 'Gear', quantity: 1, unit_price: 3 }] } });

    await handler.execute(input, ctx);

    expect(sent[0].subject).toContain('ORD-7');
    expect(sent[0].html).toContain('Gear');
  });

  it('returns what the SMTP server said as the job\'s result', async () => {
    const said = await reply();

    const result = await handler.execute(json(literal), ctx);

    expect(result).toEqual({ message_id: said.messageId, accepted: said.accepted, rejected: said.rejected, response: said.response });
  });

  it.each([
    ['an invalid address', json({ ...literal, to: 'not-an-address' })],
    ['neither text nor html', json({ to: 'ada@example.com', subject: 'Hello' })],
    ['a file instead of JSON', { kind: 'file', file: { key: 'inputs/x', filename: 'x.txt', contentType: 'text/plain', format: 'txt', size: 1 } } as JobInput],
  ])('fails for good on %s without sending', async (_, input) => {
    const error = await handler.execute(input, ctx).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(JobFailure);
    expect(error).toMatchObject({ code: ErrorCode.CorruptInput, retryable: false });
    expect(sent).toEqual([]);
  });

  it('fails for good when the SMTP server rejects the message', async () => {
    reply = async () => Promise.reject(smtpError(550, 'mailbox unavailable'));

    const error = await handler.execute(json(literal), ctx).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: ErrorCode.SmtpRejected, retryable: false });
  });

  it('asks for a retry when the SMTP server is unavailable', async () => {
    reply = async () => Promise.reject(smtpError(421, 'service not available'));

    const error = await handler.execute(json(literal), ctx).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: ErrorCode.SmtpUnavailable, retryable: true });
  });
});
