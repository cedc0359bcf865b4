/**
 * The URL as the delivery log keeps it: `user:***@` for any credentials. New URLs with them are
 * refused at submission, but jobs stored before that still carry them, and the log is readable by
 * everyone with the tenant's API key.
 */
export function redactUrl(raw: string): string {
  // No '@' anywhere, no userinfo: the common case, without parsing.
  if (!raw.includes('@')) return raw;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Unparsable: keep nothing that could be a userinfo part.
    return raw.replace(/^([^:/?#]+:\/\/)[^/?#]*@/, '$1***@');
  }
  if (!url.username && !url.password) return raw;
  url.password = url.password ? '***' : '';
  if (!url.username) url.username = '***';
  return url.toString();
}
