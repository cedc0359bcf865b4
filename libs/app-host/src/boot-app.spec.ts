import { requestId } from './boot-app';

describe('requestId', () => {
  it("keeps a caller's id of up to 128 visible ASCII characters", () => {
    expect(requestId('trace-123')).toBe('trace-123');
    expect(requestId('z'.repeat(128))).toBe('z'.repeat(128));
  });

  it('makes a new one for an absent, overlong, repeated or odd id', () => {
    for (const header of [undefined, '', 'x'.repeat(129), 'x'.repeat(3000), 'a b', 'tab\there', 'caf\u00e9', ['a', 'b']]) {
      expect(requestId(header)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });
});
