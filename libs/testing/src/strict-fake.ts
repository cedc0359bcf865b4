/**
 * A fake of a port that fails on any member the test did not stub, so a test cannot pass by
 * accident while the code under test calls something unexpected (Immich's strict automocks).
 * Unstubbed members are functions that throw when called; `then`, `toJSON` and
 * `asymmetricMatch` stay undefined so the fake can be awaited-on and printed by Jest.
 */
export function strictFake<T extends object>(name: string, stubs: Partial<T> = {}): T {
  const passthrough = new Set(['then', 'toJSON', 'asymmetricMatch', 'constructor']);
  return new Proxy(stubs as T, {
    get(target, prop, receiver) {
      if (prop in target || typeof prop === 'symbol' || passthrough.has(prop)) return Reflect.get(target, prop, receiver);
      return () => {
        throw new Error(`unexpected call to ${name}.${prop}()`);
      };
    },
  });
}
