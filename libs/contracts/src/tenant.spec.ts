import { isTenantName } from './tenant';

describe('isTenantName', () => {
  it('takes lower-case letters, digits, - and _ up to 63 characters', () => {
    for (const name of ['acme', 'a', '0-shop_eu', 'x'.repeat(63)]) expect([name, isTenantName(name)]).toEqual([name, true]);
  });

  it('refuses what would be read as a NATS wildcard or token separator, a path, or too long a name', () => {
    for (const name of ['', '>', '*', 'a.b', '../x', 'a b', 'Acme', '-a', '_a', 'café', 'a\n', 'x'.repeat(64)]) expect([name, isTenantName(name)]).toEqual([name, false]);
  });
});
