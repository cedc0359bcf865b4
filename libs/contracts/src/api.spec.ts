import { SubmitJobBody } from './api';

const body = (run_at: string) => ({ type: 'noop', input: {}, run_at });
const messages = (run_at: string) => SubmitJobBody.safeParse(body(run_at)).error?.issues.map((i) => i.message) ?? [];

describe('SubmitJobBody run_at', () => {
  it('answers a value that is no date-time with one error that shows the form', () => {
    expect(messages('tomorrow')).toEqual([expect.stringContaining('ISO 8601')]);
    expect(messages('2027-01-31 09:00')).toHaveLength(1);
  });

  it('checks the range of a real date-time', () => {
    expect(messages('2999-01-01T00:00:00Z')).toEqual(['run_at may be at most a year ahead']);
    expect(messages('0000-01-01T00:00:00Z')).toEqual(['run_at must be after 1970']);
    expect(messages(new Date(Date.now() + 3_600_000).toISOString())).toEqual([]);
  });
});

describe('metadata', () => {
  it('says values are flat when one is an object', () => {
    const r = SubmitJobBody.safeParse({ type: 'noop', input: {}, metadata: { a: { b: 1 } } });
    expect(r.error?.issues.map((i) => i.message)).toEqual([expect.stringContaining('flat')]);
  });
});
