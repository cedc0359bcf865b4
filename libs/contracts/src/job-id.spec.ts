import { uuidv7 } from './job-id';

describe('uuidv7', () => {
  it('has version 7, the RFC variant and the millisecond time in its first 48 bits', () => {
    const now = Date.UTC(2026, 11, 4, 12, 0, 0, 123);

    const id = uuidv7(now);

    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(now);
  });

  it('sorts by time and never repeats', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => uuidv7(1_700_000_000_000 + Math.floor(i / 10)));

    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort().map((id) => id.slice(0, 13))).toEqual(ids.map((id) => id.slice(0, 13)));
  });
});
