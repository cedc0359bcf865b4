import { JobdeskClient } from './client';

describe('JobdeskClient base URL', () => {
  it('takes the service address with or without a trailing slash or /v1 (which made /v1/v1/jobs)', () => {
    for (const given of ['http://h:3000', 'http://h:3000/', 'http://h:3000/v1', 'http://h:3000/v1/']) {
      expect([given, new JobdeskClient({ baseUrl: given }).baseUrl]).toEqual([given, 'http://h:3000']);
    }
    // A path prefix in front of the API stays.
    expect(new JobdeskClient({ baseUrl: 'https://example.com/jobs/v1' }).baseUrl).toBe('https://example.com/jobs');
  });
});
