// The contract every ObjectStorage must meet, run by each driver's spec against its own backend.
// Not a spec file itself; jest globals are imported so it also type-checks outside test configs.
import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { ObjectNotFoundError, ObjectStorage } from './object-storage';

/** A source that yields some bytes and then fails, like an upload cut off by a size limit. */
export function failingSource(err: Error): Readable {
  return Readable.from(
    (async function* () {
      yield Buffer.alloc(64 * 1024, 1);
      throw err;
    })(),
  );
}

export function chunked(data: Buffer, chunkSize = 64 * 1024): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunkSize) chunks.push(data.subarray(i, i + chunkSize));
  return Readable.from(chunks);
}

/** `storage` is a getter because drivers are usually built in beforeAll. */
export function behavesLikeObjectStorage(storage: () => ObjectStorage): void {
  // Fresh keys per test so the cases never depend on each other's leftovers.
  const key = (name: string) => `behaviour/${randomUUID()}/${name}`;

  describe('ObjectStorage behaviour', () => {
    it('pings', async () => {
      await expect(storage().ping()).resolves.toBeUndefined();
    });

    it('round-trips a buffer and reports its size', async () => {
      const k = key('buffer.json');
      const body = Buffer.from('{"hello":"wörld"}');
      await expect(storage().put(k, body, { contentType: 'application/json' })).resolves.toEqual({ size: body.length });
      expect(await storage().exists(k)).toBe(true);
      expect((await storage().get(k)).equals(body)).toBe(true);
    });

    it('round-trips a multi-chunk stream and counts its bytes', async () => {
      const k = key('stream.bin');
      const body = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
      await expect(storage().put(k, chunked(body))).resolves.toEqual({ size: body.length });
      expect((await storage().get(k)).equals(body)).toBe(true);
    });

    it('stores an empty object', async () => {
      const k = key('empty');
      await expect(storage().put(k, Buffer.alloc(0))).resolves.toEqual({ size: 0 });
      expect(await storage().get(k)).toHaveLength(0);
    });

    it('overwrites an existing object', async () => {
      const k = key('input');
      await storage().put(k, Buffer.from('first, and longer'));
      await storage().put(k, Buffer.from('second'));
      expect((await storage().get(k)).toString()).toBe('second');
    });

    it('throws ObjectNotFoundError for a missing key', async () => {
      const k = key('missing');
      await expect(storage().get(k)).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(storage().get(k)).rejects.toMatchObject({ key: k });
      expect(await storage().exists(k)).toBe(false);
    });

    it('deletes, and deleting again or deleting a never-stored key is fine', async () => {
      const k = key('doomed');
      await storage().put(k, Buffer.from('x'));
      await storage().delete(k);
      expect(await storage().exists(k)).toBe(false);
      await expect(storage().get(k)).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(storage().delete(k)).resolves.toBeUndefined();
      await expect(storage().delete(key('never'))).resolves.toBeUndefined();
    });

    it('rejects put with the source error and stores nothing when the stream fails', async () => {
      const k = key('too-big');
      const err = new Error('upload exceeds limit');
      await expect(storage().put(k, failingSource(err))).rejects.toBe(err);
      expect(await storage().exists(k)).toBe(false);
    });

    it('keeps the previous object when an overwrite fails', async () => {
      const k = key('kept');
      await storage().put(k, Buffer.from('old'));
      await expect(storage().put(k, failingSource(new Error('boom')))).rejects.toThrow('boom');
      expect((await storage().get(k)).toString()).toBe('old');
    });
  });
}
