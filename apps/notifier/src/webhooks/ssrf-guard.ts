import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup, LookupAddress } from 'node:dns';

/**
 * Decides whether a webhook may connect to an address: only public unicast addresses, unless
 * WEBHOOK_ALLOWED_HOSTS names the host or a CIDR containing it (dev and tests). The check runs
 * at connect time on every resolved address (see `guardedLookup`), so DNS rebinding between a
 * check and the connection is not possible.
 */
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) PRIVATE.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32],
  ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) PRIVATE.addSubnet(net, bits, 'ipv6');

export class BlockedAddressError extends Error {
  readonly code = 'ESSRF';
}

export class SsrfGuard {
  private readonly allowedHosts = new Set<string>();
  private readonly allowedNets = new BlockList();

  constructor(allowList: string) {
    for (const entry of allowList.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) {
      const [addr, bits] = entry.split('/');
      const family = isIP(addr);
      if (family && bits !== undefined) this.allowedNets.addSubnet(addr, Number(bits), family === 6 ? 'ipv6' : 'ipv4');
      else if (family) this.allowedNets.addAddress(addr, family === 6 ? 'ipv6' : 'ipv4');
      else this.allowedHosts.add(entry);
    }
  }

  /** Why an address may not be used, or null when it may. */
  refusal(address: string, host?: string): string | null {
    if (host && this.allowedHosts.has(host.toLowerCase())) return null;
    const family = isIP(address);
    if (!family) return `not an IP address: ${address}`;
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (this.allowedNets.check(address, type)) return null;
    // IPv4-mapped and -compatible IPv6 (::ffff:127.0.0.1) are the IPv4 address in disguise.
    const mapped = type === 'ipv6' ? /^::(?:ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? fromHexMapped(address) : null;
    if (mapped) return this.refusal(mapped, host);
    return PRIVATE.check(address, type) ? `${address} is not a public address` : null;
  }

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

  private urlRefusal(raw: string): string | null {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return `scheme ${url.protocol} not allowed`;
    if (url.username || url.password) return 'credentials in the URL are not allowed';
    const host = url.hostname.replace(/^\[|\]$/g, '');
    return isIP(host) ? this.refusal(host, host) : null;
  }

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

function fromHexMapped(address: string): string | null {
  const m = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!m) return null;
  const hi = parseInt(m[1], 16);
  const lo = parseInt(m[2], 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}
