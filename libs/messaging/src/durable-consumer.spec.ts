import { z } from 'zod';
import { PoisonMessageError, validated } from './durable-consumer';

describe('validated', () => {
  const schema = z.object({ id: z.string() });

  it('hands a message of the right shape to the handler, parsed', async () => {
    const seen: unknown[] = [];
    await validated(schema, async (m) => void seen.push(m))({ id: 'a', extra: 1 });
    expect(seen).toEqual([{ id: 'a' }]);
  });

  it('marks a message of the wrong shape as poison without calling the handler', async () => {
    const handler = jest.fn(async () => undefined);
    await expect(validated(schema, handler)({ id: 42 })).rejects.toBeInstanceOf(PoisonMessageError);
    expect(handler).not.toHaveBeenCalled();
  });

  it('lets a handler failure through as a plain error, to be retried', async () => {
    const boom = new Error('database down');
    await expect(validated(schema, async () => Promise.reject(boom))({ id: 'a' })).rejects.toBe(boom);
  });
});
