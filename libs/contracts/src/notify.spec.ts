import { NotifyTargets, StoredNotifyTargets } from './notify';
import { CreateEndpointBody, UpdateEndpointBody } from './webhooks';
import { OnCall } from './sms';

const WITH_CREDENTIALS = 'http://user:pw@127.0.0.1:9999/';

describe('webhook URLs with credentials', () => {
  it('are refused wherever a client gives jobdesk a URL to POST to', () => {
    for (const parsed of [
      NotifyTargets.safeParse({ webhook: WITH_CREDENTIALS }),
      CreateEndpointBody.safeParse({ url: WITH_CREDENTIALS }),
      UpdateEndpointBody.safeParse({ url: WITH_CREDENTIALS }),
      OnCall.safeParse({ webhook: WITH_CREDENTIALS }),
    ]) {
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0].message).toMatch(/credentials/);
    }
  });

  it('are still read back from a job stored before they were refused', () => {
    expect(StoredNotifyTargets.safeParse({ webhook: WITH_CREDENTIALS, email: 'a@example.com' }).success).toBe(true);
  });

  it('do not catch an @ in the path', () => {
    expect(NotifyTargets.safeParse({ webhook: 'https://example.com/hooks/a@b' }).success).toBe(true);
  });
});
