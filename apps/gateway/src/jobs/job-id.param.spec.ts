import { normalizeJobId } from './job-id.param';

describe('normalizeJobId', () => {
  const meta = { type: 'param' as const, data: 'id' };

  it('lower-cases a UUID written in upper or mixed case', () => {
    expect(normalizeJobId.transform('01A24318-B1C2-7D3E-8F40-0123456789AB', meta)).toBe('01a24318-b1c2-7d3e-8f40-0123456789ab');
    expect(normalizeJobId.transform('01a24318-B1c2-7d3e-8f40-0123456789ab', meta)).toBe('01a24318-b1c2-7d3e-8f40-0123456789ab');
  });

  it('leaves anything that is not a UUID as it is', () => {
    expect(normalizeJobId.transform('NOT-A-JOB', meta)).toBe('NOT-A-JOB');
  });
});
