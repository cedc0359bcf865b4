import { webhookRetryDelay, WEBHOOK_MAX_ATTEMPTS, WEBHOOK_SCHEDULE_MS } from './retry-schedule';

describe('webhook retry schedule', () => {
  it('follows 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h without jitter', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => webhookRetryDelay(n, 1, mid))).toEqual([5e3, 3e5, 18e5, 72e5, 18e6, 36e6, 36e6]);
    expect(WEBHOOK_MAX_ATTEMPTS).toBe(8);
  });

  it('spans about three days in all', () => {
    const total = WEBHOOK_SCHEDULE_MS.reduce((a, b) => a + b, 0);
    expect(total / 3_600_000).toBeGreaterThan(27);
    expect(total / 3_600_000).toBeLessThan(80);
  });

  it('jitters by at most 10 %, both ways', () => {
    expect(webhookRetryDelay(2, 1, () => 0)).toBe(270_000);
    expect(webhookRetryDelay(2, 1, () => 1)).toBe(330_000);
  });

  it('scales with the backoff factor (tests make the clock fast)', () => {
    expect(webhookRetryDelay(7, 0.001, () => 0.5)).toBe(36_000);
  });
});
