import { parseConfig, ConfigError } from './config';

describe('parseConfig', () => {
  it('gives local defaults for an empty environment', () => {
    const c = parseConfig({});
    expect(c.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/jobdesk');
    expect(c.MAX_UPLOAD_BYTES).toBe(10 * 1024 * 1024);
    expect(c.STORAGE_DRIVER).toBe('fs');
  });

  it('coerces numbers and booleans from strings', () => {
    const c = parseConfig({ MAX_UPLOAD_BYTES: '1024', RETRY_BACKOFF_FACTOR: '0.01' });
    expect(c.MAX_UPLOAD_BYTES).toBe(1024);
    expect(c.RETRY_BACKOFF_FACTOR).toBe(0.01);
  });

  it('names the variable that is wrong', () => {
    expect(() => parseConfig({ MAX_UPLOAD_BYTES: 'ten' })).toThrow(ConfigError);
    expect(() => parseConfig({ STORAGE_DRIVER: 'ftp' })).toThrow(/STORAGE_DRIVER/);
    expect(() => parseConfig({ WEBHOOK_DISABLE_AFTER_S: '-1' })).toThrow(/WEBHOOK_DISABLE_AFTER_S/);
  });

  it('limits the time to receive a request to a minute unless told otherwise (0 = no limit)', () => {
    expect(parseConfig({}).REQUEST_TIMEOUT_MS).toBe(60_000);
    expect(parseConfig({ REQUEST_TIMEOUT_MS: '0' }).REQUEST_TIMEOUT_MS).toBe(0);
    expect(() => parseConfig({ REQUEST_TIMEOUT_MS: '-5' })).toThrow(/REQUEST_TIMEOUT_MS/);
  });

  it('treats empty strings as unset', () => {
    expect(parseConfig({ REDIS_URL: '' }).REDIS_URL).toBe('redis://127.0.0.1:6379');
  });
});
