import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FsObjectStorage } from './fs-object-storage';
import { behavesLikeObjectStorage, chunked, failingSource } from './object-storage.behaviour';

describe('FsObjectStorage', () => {
  let dir: string;
  let storage: FsObjectStorage;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jobdesk-fs-storage-'));
    storage = new FsObjectStorage(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  behavesLikeObjectStorage(() => storage);

  it.each(['../outside', 'a/../../outside', '/etc/passwd', 'a\\b', 'a\0b', '', 'a//b', './a', 'a/.', '..'])(
    'rejects the key %j',
    async (key) => {
      await expect(storage.put(key, Buffer.from('x'))).rejects.toThrow('invalid object key');
      await expect(storage.get(key)).rejects.toThrow('invalid object key');
      await expect(storage.exists(key)).rejects.toThrow('invalid object key');
      await expect(storage.delete(key)).rejects.toThrow('invalid object key');
    },
  );

  const filesIn = async (sub: string) => readdir(join(dir, sub)).catch(() => [] as string[]);

  it('leaves no file behind when the source stream fails, early or past the in-memory part', async () => {
    await expect(storage.put('partial/upload', failingSource(new Error('limit')))).rejects.toThrow('limit');
    expect(await filesIn('partial')).toEqual([]);
    const late = Readable.from((async function* () {
      yield Buffer.alloc(FsObjectStorage.SMALL_BYTES + 1, 1);
      yield Buffer.alloc(10, 2);
      throw new Error('cut off');
    })());
    await expect(storage.put('partial/late', late)).rejects.toThrow('cut off');
    await expect(storage.put('partial/fresh', failingSource(new Error('limit')), { fresh: true })).rejects.toThrow('limit');
    expect(await filesIn('partial')).toEqual([]);
  });

  it('stores a stream longer than what it holds in memory, byte for byte', async () => {
    const big = Buffer.alloc(3 * FsObjectStorage.SMALL_BYTES + 12345);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) % 251;
    await expect(storage.put('big/blob', chunked(big, 100_000))).resolves.toEqual({ size: big.length });
    expect((await storage.get('big/blob')).equals(big)).toBe(true);
  });

  it('writes a fresh key in place, and refuses one that exists without touching it', async () => {
    await storage.put('fresh/a', Readable.from([Buffer.from('new')]), { fresh: true });
    expect(await filesIn('fresh')).toEqual(['a']); // no temp file was made
    await expect(storage.put('fresh/a', Buffer.from('other'), { fresh: true })).rejects.toThrow(/EEXIST/);
    expect((await storage.get('fresh/a')).toString()).toBe('new');
  });

  it('destroys a stream it will not read to the end, so that whatever feeds it is not left waiting', async () => {
    const longer = () => chunked(Buffer.alloc(FsObjectStorage.SMALL_BYTES * 2, 3), 64 * 1024);
    const refused = longer(); // the key exists: the file cannot be opened
    await expect(storage.put('fresh/a', refused, { fresh: true })).rejects.toThrow(/EEXIST/);
    expect(refused.destroyed).toBe(true);
    expect((await storage.get('fresh/a')).toString()).toBe('new');
  });

  it('stores nested keys as nested files', async () => {
    await storage.put('results/job-1.json', Buffer.from('{}'));
    expect(await readdir(join(dir, 'results'))).toEqual(['job-1.json']);
  });

  it('still stores into a directory removed after an earlier put made it', async () => {
    await storage.put('gone/a.json', Buffer.from('1'));
    await rm(join(dir, 'gone'), { recursive: true });

    await storage.put('gone/b.json', Buffer.from('2'));

    expect((await storage.get('gone/b.json')).toString()).toBe('2');

    // A stream too: the file is opened (and the directory made again) before the stream is read.
    await rm(join(dir, 'gone'), { recursive: true });
    await storage.put('gone/c.bin', Readable.from([Buffer.from('str'), Buffer.from('eam')]));
    expect((await storage.get('gone/c.bin')).toString()).toBe('stream');
  });

  it('treats a key naming a directory as missing', async () => {
    await storage.put('dir/child', Buffer.from('x'));
    expect(await storage.exists('dir')).toBe(false);
  });
});
