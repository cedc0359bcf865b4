import { AddressPolicy } from './address-policy';

describe('AddressPolicy', () => {
  const none = new AddressPolicy('');

  it('treats public addresses as public', () => {
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect([a, none.refusal(a)]).toEqual([a, null]);
  });

  // Every spelling the WHATWG parser turns into a loopback, private or special address.
  const notPublic = [
    '127.0.0.1', '127.1', '127.0.0.2', '2130706433', '0x7f000001', '0x7f.0.0.1', '017700000001', '0177.0.0.1',
    '[::1]', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[0:0:0:0:0:ffff:127.0.0.1]', '0.0.0.0', '[::]',
    '10.0.0.1', '10.255.255.254', '172.16.0.1', '172.31.255.1', '192.168.1.1', '169.254.169.254', '169.254.0.1',
    '100.64.0.1', '198.18.0.1', '224.0.0.1', '255.255.255.255', '[fd00::1]', '[fc00::1]', '[fe80::1]', '[ff02::1]',
    '[::ffff:10.0.0.1]', '[::ffff:a9fe:a9fe]', '[64:ff9b::a9fe:a9fe]', '[2001:db8::1]', '167772161', '0xa9fea9fe',
    // IPv4-compatible IPv6 (::/96, deprecated): ::169.254.169.254, which the parser writes ::a9fe:a9fe.
    '[::a9fe:a9fe]', '[::169.254.169.254]', '[::7f00:1]', '[::808:808]',
  ];
  it.each(notPublic)('refuses the literal host %s in a URL', (host) => {
    expect(none.urlRefusal(`http://${host}:8080/hook`)).toMatch(/ is not a public address$/);
  });

  it('refuses non-http schemes and credentials in a URL', () => {
    expect(none.urlRefusal('file:///etc/passwd')).toBe('scheme file: not allowed');
    expect(none.urlRefusal('ftp://example.com/x')).toBe('scheme ftp: not allowed');
    expect(none.urlRefusal('http://user:pw@example.com/')).toBe('credentials in the URL are not allowed');
  });

  it('leaves host names to the connect-time check, localhost too', () => {
    for (const url of ['https://example.com/h', 'http://localhost/h', 'http://internal.corp/h']) expect([url, none.urlRefusal(url)]).toEqual([url, null]);
  });

  it('lets allow-listed private addresses through, by address, CIDR or host name', () => {
    expect(new AddressPolicy('127.0.0.1').urlRefusal('http://127.0.0.1:9/')).toBeNull();
    expect(new AddressPolicy('127.0.0.1').urlRefusal('http://127.0.0.2:9/')).toMatch(/not a public address/);
    expect(new AddressPolicy(' 10.0.0.0/8 , ::1').urlRefusal('http://10.1.2.3/')).toBeNull();
    expect(new AddressPolicy('10.0.0.0/8,::1').urlRefusal('http://[::1]/')).toBeNull();
    expect(new AddressPolicy('10.0.0.0/8').urlRefusal('http://[::ffff:10.0.0.1]/')).toBeNull();
    expect(new AddressPolicy('Internal.Corp').refusal('10.0.0.1', 'internal.corp')).toBeNull();
    expect(new AddressPolicy('internal.corp').refusal('10.0.0.1', 'other.corp')).toMatch(/not a public address/);
  });

  describe('submitRefusal (no DNS: what a URL shows on its face)', () => {
    it('refuses literal private addresses and the localhost names', () => {
      const cases = {
        'http://169.254.169.254/latest/meta-data/': '169.254.169.254 is not a public address',
        'http://[::1]/': '::1 is not a public address',
        'http://localhost:3000/': 'localhost is not a public address',
        'http://LOCALHOST./': 'localhost is not a public address',
        'http://app.localhost/': 'app.localhost is not a public address',
      };
      for (const [url, why] of Object.entries(cases)) expect([url, none.submitRefusal(url)]).toEqual([url, why]);
    });

    it('accepts public addresses and every other host name (they are checked when resolved)', () => {
      for (const url of ['https://example.com/h', 'http://93.184.216.34/', 'http://localhost.example.com/', 'http://mylocalhost/']) {
        expect([url, none.submitRefusal(url)]).toEqual([url, null]);
      }
    });

    it('accepts localhost when the name or a loopback address is allowed', () => {
      for (const allow of ['localhost', '127.0.0.1', '127.0.0.0/8', '::1']) expect([allow, new AddressPolicy(allow).submitRefusal('http://localhost:9/')]).toEqual([allow, null]);
      expect(new AddressPolicy('10.0.0.0/8').submitRefusal('http://localhost:9/')).toMatch(/not a public address/);
    });
  });
});
