import { CreateAnyJobRequest, CreateJobRequest } from './job';
import { isPublicJobType, PUBLIC_JOB_TYPES } from './job-types';

const request = (type: string) => ({
  id: '0190d5e4-7b3a-7c00-8000-000000000001',
  tenant: 'default',
  type,
  input: { kind: 'json', data: { from: '+14155550123', to: '+15550001111', body: 'STOP', message_sid: 'SM0123456789abcdef' } },
});

describe('internal job types', () => {
  it('leaves sms.inbound out of the types a client may submit, and only it', () => {
    expect(PUBLIC_JOB_TYPES).toEqual(['resume.parse', 'email.send', 'sms.send', 'sms.confirm-request', 'noop']);
    expect(isPublicJobType('sms.inbound')).toBe(false);
  });

  it("refuses an sms.inbound job on job-tracker's create subject, naming the type", () => {
    const parsed = CreateJobRequest.safeParse(request('sms.inbound'));

    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['type']);
  });

  it('lets public and unknown types through (job-tracker answers unknown_job_type for the latter)', () => {
    expect(CreateJobRequest.safeParse(request('sms.send')).success).toBe(true);
    expect(CreateJobRequest.safeParse(request('no.such')).success).toBe(true);
  });

  it('takes sms.inbound in-process, where the inbound path makes it after checking the signature', () => {
    expect(CreateAnyJobRequest.safeParse(request('sms.inbound')).success).toBe(true);
  });
});
