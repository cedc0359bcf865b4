import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { AddressPolicy } from '@jobdesk/net-guard';

/**
 * Decides whether a webhook may connect to an address (the rules: `AddressPolicy`, shared with
 * the gateway). The check runs at connect time on every resolved address (see `guardedLookup`),
 * so DNS rebinding between a check and the connection is not possible.
 */
export class BlockedAddressError extends Error {
  readonly code = 'ESSRF';
}

export class SsrfGuard extends AddressPolicy {
  /** Checks a URL before any connection: scheme, and a literal IP host (which skips DNS). */
  checkUrl(raw: string): void {
    // The verdict depends on the string alone, and a tenant's few URLs are checked on every
    // delivery: remembered rather than parsed (and matched against the block lists) each time.
    let why = this.verdicts.get(raw);
    if (why === undefined) {
      why = this.urlRefusal(raw);
      if (this.verdicts.size >= 1_000) this.verdicts.clear();
      this.verdicts.set(raw, why);
    }
    if (why) throw new BlockedAddressError(why);
  }

  private readonly verdicts = new Map<string, string | null>();

  /** A dns.lookup that refuses non-public answers: used as the HTTP client's connect lookup. */
  readonly guardedLookup = (hostname: string, options: object, callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as LookupAddress[];
      const bad = list.map((a) => this.refusal(a.address, hostname)).find(Boolean);
      if (bad || !list.length) return callback(new BlockedAddressError(bad ?? `${hostname} did not resolve`), '', 0);
      if ((options as { all?: boolean }).all) return callback(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}
