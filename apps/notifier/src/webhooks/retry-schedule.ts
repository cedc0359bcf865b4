/**
 * When to try a webhook again after attempt n failed: immediately, then 5 s, 5 min, 30 min,
 * 2 h, 5 h, 10 h, 10 h — about three days in all, as Svix and Stripe do. ±10 % jitter keeps a
 * receiver that comes back from being hit by every queued retry at the same instant.
 */
export const WEBHOOK_SCHEDULE_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
export const WEBHOOK_MAX_ATTEMPTS = WEBHOOK_SCHEDULE_MS.length + 1;

/** Delay before the next attempt, after `attemptsMade` attempts failed (1-based count). */
export function webhookRetryDelay(attemptsMade: number, factor = 1, random: () => number = Math.random): number {
  const base = WEBHOOK_SCHEDULE_MS[Math.min(attemptsMade, WEBHOOK_SCHEDULE_MS.length) - 1] ?? WEBHOOK_SCHEDULE_MS.at(-1)!;
  const jitter = 1 + (random() * 2 - 1) * 0.1;
  return Math.max(0, Math.round(base * factor * jitter));
}
