import { BlockList, isIP } from 'node:net';

/**
 * Which addresses jobdesk may send to on a tenant's behalf (webhooks, order lookups): only public
 * unicast addresses, unless WEBHOOK_ALLOWED_HOSTS names the host or a CIDR containing it (dev and
 * tests). One definition for the gateway, which refuses what a URL shows on its face when it is
 * handed in, and the notifier, which checks every resolved address when it connects.
 */
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) PRIVATE.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  // ::/96 holds :: and ::1, and the deprecated IPv4-compatible ::a.b.c.d (::a9fe:a9fe), routed nowhere public.
  ['::', 96], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32],
  ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) PRIVATE.addSubnet(net, bits, 'ipv6');

export class AddressPolicy {
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

  /**
   * Why a URL may not be used before any connection, or null: its scheme, credentials, and a
   * literal IP host (which skips DNS). A host name passes: it is checked when it is resolved.
   */
  urlRefusal(raw: string): string | null {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return `scheme ${url.protocol} not allowed`;
    if (url.username || url.password) return 'credentials in the URL are not allowed';
    const host = hostOf(url);
    return isIP(host) ? this.refusal(host, host) : null;
  }

  /**
   * `urlRefusal`, and the names `localhost` and `*.localhost` too, which are loopback by
   * definition (RFC 6761) wherever they are resolved: what can be refused when a URL is handed in,
   * without a DNS lookup (a name resolves where it likes later; the connect-time check sees that).
   * Such a name passes when it, or a loopback address, is allowed.
   */
  submitRefusal(raw: string): string | null {
    const why = this.urlRefusal(raw);
    if (why) return why;
    const host = hostOf(new URL(raw)).toLowerCase().replace(/\.$/, '');
    if (host !== 'localhost' && !host.endsWith('.localhost')) return null;
    return this.refusal('127.0.0.1', host) && this.refusal('::1', host) ? `${host} is not a public address` : null;
  }
}

/** The URL's host without IPv6 brackets (the WHATWG parser has already made `0x7f.1` 127.0.0.1). */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

function fromHexMapped(address: string): string | null {
  const m = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!m) return null;
  const hi = parseInt(m[1], 16);
  const lo = parseInt(m[2], 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}
