import { Batcher } from './batcher';

describe('Batcher', () => {
  function recording(concurrency = 1) {
    const calls: number[][] = [];
    const release: Array<() => void> = [];
    const batcher = new Batcher<number, string>(
      (items) =>
        new Promise((resolve) => {
          calls.push(items);
          release.push(() => resolve(items.map((n) => (n < 0 ? new Error(`bad ${n}`) : `ok ${n}`))));
        }),
      { maxBatch: 3, concurrency },
    );
    return { batcher, calls, release };
  }

  it('writes a lone call at once, on its own', async () => {
    const { batcher, calls, release } = recording();

    const r = batcher.submit(1);
    release[0]();

    await expect(r).resolves.toBe('ok 1');
    expect(calls).toEqual([[1]]);
  });

  it('gathers the calls that arrive while a write is in flight into the next write, at most maxBatch at a time', async () => {
    const { batcher, calls, release } = recording();

    const all = [1, 2, 3, 4, 5].map((n) => batcher.submit(n));
    release[0]();
    await Promise.resolve();
    await new Promise((r) => setImmediate(r));
    release[1]();
    await new Promise((r) => setImmediate(r));
    release[2]();

    await expect(Promise.all(all)).resolves.toEqual(['ok 1', 'ok 2', 'ok 3', 'ok 4', 'ok 5']);
    expect(calls).toEqual([[1], [2, 3, 4], [5]]);
  });

  it("rejects only the item the write answered with an error", async () => {
    const { batcher, release } = recording(2);

    const a = batcher.submit(1);
    const b = batcher.submit(-2);
    release.forEach((f) => f());

    await expect(a).resolves.toBe('ok 1');
    await expect(b).rejects.toThrow('bad -2');
  });

  it('rejects every item of a write that failed as a whole, and goes on with the next', async () => {
    let fail = true;
    const batcher = new Batcher<number, number>(async (items) => {
      if (fail) {
        fail = false;
        throw new Error('connection lost');
      }
      return items;
    }, { maxBatch: 10, concurrency: 1 });

    const first = batcher.submit(1);
    const second = batcher.submit(2);

    await expect(first).rejects.toThrow('connection lost');
    await expect(second).resolves.toBe(2);
  });
});
