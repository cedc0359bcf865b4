import { redactUrl } from './redact-url';

describe('redactUrl', () => {
  it('hides the password of a URL with credentials', () => {
    expect(redactUrl('http://user:pw@127.0.0.1:9999/hook?x=1')).toBe('http://user:***@127.0.0.1:9999/hook?x=1');
  });

  it('hides a password given without a user name', () => {
    expect(redactUrl('https://:secret@example.com/')).toBe('https://***:***@example.com/');
  });

  it('leaves a URL without credentials as it was, byte for byte', () => {
    expect(redactUrl('https://example.com/hooks/a@b')).toBe('https://example.com/hooks/a@b');
  });

  it('hides the userinfo of a string that is not a parsable URL', () => {
    expect(redactUrl('http://user:pw@[bad/')).not.toContain('pw');
  });
});
