import { OriginGate, Release } from './origin-gate';

const A = 'https://a.example.com';
const B = 'https://b.example.com';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('OriginGate', () => {
  it('hands a released slot straight to the next waiter', async () => {
    const gate = new OriginGate({ perOrigin: 1, maxWaitMs: 1_000, coolDownMs: 30_000 });
    const first = (await gate.acquire(A))!;
    let second: Release | undefined;
    const waiting = gate.acquire(A).then((r) => (second = r));
    await sleep(5);
    expect(second).toBeUndefined();

    first(false);
    await waiting;

    expect(second).toEqual(expect.any(Function));
  });

  it('turns a waiter away once it waited maxWaitMs, and lets other origins through meanwhile', async () => {
    const gate = new OriginGate({ perOrigin: 1, maxWaitMs: 40, coolDownMs: 30_000 });
    const held = (await gate.acquire(A))!;
    const started = Date.now();

    const other = await gate.acquire(B);
    const waited = await gate.acquire(A);

    expect(other).toEqual(expect.any(Function));
    expect(waited).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    held(false);
  });

  it('takes no waiter for an origin none of whose sends ended for maxWaitMs', async () => {
    let now = 0;
    const gate = new OriginGate({ perOrigin: 1, maxWaitMs: 100, coolDownMs: 30_000 }, () => now);
    const held = (await gate.acquire(A))!;
    now = 101;

    await expect(gate.acquire(A)).resolves.toBeUndefined();
    held(false);
  });

  it('after a send that got no answer, turns away the waiters and refuses the origin until the cool-down ends', async () => {
    let now = 0;
    const gate = new OriginGate({ perOrigin: 1, maxWaitMs: 1_000, coolDownMs: 30_000 }, () => now);
    const held = (await gate.acquire(A))!;
    const waiter = gate.acquire(A);

    held(true);

    await expect(waiter).resolves.toBeUndefined();
    await expect(gate.acquire(A)).resolves.toBeUndefined();
    now = 30_000;
    await expect(gate.acquire(A)).resolves.toEqual(expect.any(Function));
  });

  it('forgets an origin once nothing is in flight or waiting', async () => {
    const gate = new OriginGate({ perOrigin: 2, maxWaitMs: 1_000, coolDownMs: 30_000 });
    const a = (await gate.acquire(A))!;
    const b = (await gate.acquire(B))!;
    a(false);
    a(false); // a second release changes nothing

    expect(gate.size).toBe(1);
    b(false);
    expect(gate.size).toBe(0);
  });
});
