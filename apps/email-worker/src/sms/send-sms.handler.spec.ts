import { ErrorCode } from '@jobdesk/contracts';
import type { JobContext } from '@jobdesk/queue';
import { strictFake } from '@jobdesk/testing';
import { SendSmsHandler } from './send-sms.handler';
import { SmsSender } from './sms-sender';
import { SmsOptOuts } from './sms-opt-outs';

const ctx = { jobId: '0190a0a0-0000-7000-8000-0000000000aa', tenant: 'acme', attempt: 1, correlationId: 'c', signal: new AbortController().signal } as JobContext;
const input = (data: unknown) => ({ kind: 'json' as const, data });

describe('SendSmsHandler', () => {
  it('sends nothing to a number that opted out, and fails for good with sms_opted_out', async () => {
    const optOuts = strictFake<SmsOptOuts>('SmsOptOuts', { isOptedOut: async (tenant, phone) => tenant === 'acme' && phone === '+14155550123' });
    const handler = new SendSmsHandler(strictFake<SmsSender>('SmsSender'), optOuts);
    await expect(handler.execute(input({ to: '+14155550123', body: 'sale!' }), ctx)).rejects.toMatchObject({ code: ErrorCode.SmsOptedOut, retryable: false });
  });

  it('sends from the given number when the input names one', async () => {
    const sent: unknown[] = [];
    const sender = strictFake<SmsSender>('SmsSender', { send: async (...args) => (sent.push(args.filter((a) => !(a instanceof AbortSignal))), { ok: true, retryable: false, sid: 'SM1', providerStatus: 'queued' }) });
    const handler = new SendSmsHandler(sender, strictFake<SmsOptOuts>('SmsOptOuts', { isOptedOut: async () => false }));
    await expect(handler.execute(input({ to: '+14155550123', body: 'hi', from: '+14155550100' }), ctx)).resolves.toEqual({ sid: 'SM1', status: 'queued' });
    expect(sent).toEqual([['+14155550123', 'hi', '+14155550100']]);
  });

  it('retries when the opt-out list cannot be read rather than sending unchecked', async () => {
    const handler = new SendSmsHandler(strictFake<SmsSender>('SmsSender'), strictFake<SmsOptOuts>('SmsOptOuts', { isOptedOut: async () => Promise.reject(new Error('job-tracker unavailable')) }));
    await expect(handler.execute(input({ to: '+14155550123', body: 'hi' }), ctx)).rejects.toThrow('job-tracker unavailable');
  });
});
