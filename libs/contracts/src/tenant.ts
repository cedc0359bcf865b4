/**
 * What a tenant may be called: its name goes into NATS subjects (where `.`, `*` and `>` have
 * meaning), storage keys and log lines. One rule for `keys create` and `X-Jobdesk-Tenant`.
 */
export const TENANT_NAME_RULE = 'lower-case letters, digits, - and _ (starting with a letter or digit), at most 63';

export function isTenantName(name: string): boolean {
  return /^[a-z0-9][a-z0-9_-]{0,62}$/.test(name);
}
