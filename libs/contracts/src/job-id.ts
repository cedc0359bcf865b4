/**
 * A new job's id, wherever a job is made (the gateway, job-tracker's own jobs, the notifier's
 * child jobs): RFC 9562 UUIDv7, time-ordered, so new jobs land at the right end of the
 * primary-key index.
 * The random bits come from a v4 UUID (Node draws those from a pooled buffer of entropy; a
 * randomBytes call per submission cost more): its version nibble is dropped, its variant kept.
 */
export function uuidv7(now = Date.now()): string {
  // The global Web Crypto (Node 20 and browsers alike: the dashboard builds these contracts too).
  const r = globalThis.crypto.randomUUID().replace(/-/g, '');
  const h = now.toString(16).padStart(12, '0').slice(-12) + '7' + r.slice(13, 16) + r.slice(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
