import { randomUUID } from 'node:crypto';
import { access, FileHandle, mkdir, open, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ObjectNotFoundError, ObjectStorage, PutOptions } from './object-storage';

const MISSING = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);
const isMissing = (err: unknown) => MISSING.has((err as NodeJS.ErrnoException).code ?? '');

/**
 * The whole stream as one Buffer when it ends within `limit` bytes; otherwise a stream of the
 * same bytes (those read so far, then the rest), so a large body is never held in memory.
 */
async function headOf(body: Readable, limit: number): Promise<Buffer | Readable> {
  const it = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let size = 0;
  while (size <= limit) {
    const next = await it.next();
    if (next.done) return Buffer.concat(head);
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    head.push(chunk);
    size += chunk.length;
  }
  return Readable.from(
    (async function* () {
      yield* head;
      for (let next = await it.next(); !next.done; next = await it.next()) yield next.value;
    })(),
  );
}

/**
 * A put that failed reads no more of its stream: destroy it, as pipeline would have, so that
 * whoever feeds it (an upload being received) fails too instead of waiting for ever.
 */
function release(body: Readable | Buffer): void {
  if (!Buffer.isBuffer(body)) body.destroy();
}

/** Objects as plain files under a root directory (one machine, development and tests). */
export class FsObjectStorage extends ObjectStorage {
  private readonly root: string;

  constructor(root: string) {
    super();
    this.root = resolve(root);
  }

  async put(key: string, body: Readable | Buffer, opts: PutOptions = {}): Promise<{ size: number }> {
    const file = this.pathOf(key);
    const dir = dirname(file);
    // A small stream (most uploads) is gathered and written at once: every write of a streamed
    // chunk is a hand-off to the thread pool, which cost more than the bytes (measured on uploads
    // of 200 KB: about a third more per second). Past SMALL_BYTES it streams, memory bounded.
    const content = Buffer.isBuffer(body) ? body : await headOf(body, FsObjectStorage.SMALL_BYTES);
    // A replaced object is written beside the target and renamed over it (same filesystem, so
    // atomic: readers see the old object or the whole new one); a fresh key is written in place.
    const target = opts.fresh ? file : join(dir, `.${randomUUID()}.tmp`);
    let handle: FileHandle;
    try {
      handle = await this.openNew(dir, target);
    } catch (err) {
      release(body);
      throw err;
    }
    try {
      let size: number;
      if (Buffer.isBuffer(content)) {
        await handle.writeFile(content);
        size = content.length;
      } else {
        const out = handle.createWriteStream();
        await pipeline(content, out);
        size = out.bytesWritten;
      }
      await handle.close();
      if (target !== file) await rename(target, file);
      return { size };
    } catch (err) {
      release(body);
      await handle.close().catch(() => undefined);
      await rm(target, { force: true });
      throw err;
    }
  }

  /** Streams shorter than this are gathered in memory and written with one call. */
  static readonly SMALL_BYTES = 1024 * 1024;

  /** Directories already made: most puts go to a few (`results/`, `inputs/`), and a mkdir per put was a few per cent of a worker's or the gateway's time. */
  private readonly dirs = new Set<string>();

  private async openNew(dir: string, tmp: string): Promise<FileHandle> {
    if (!this.dirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.dirs.add(dir);
    }
    try {
      return await open(tmp, 'wx');
    } catch (err) {
      // The directory went away since we made it (deleted by hand, or a test's cleanup): once more.
      if (!isMissing(err)) throw err;
      await mkdir(dir, { recursive: true });
      return open(tmp, 'wx');
    }
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(key));
    } catch (err) {
      if (isMissing(err)) throw new ObjectNotFoundError(key);
      throw err;
    }
  }

  // Empty parent directories are left in place: removing them would race a concurrent put that
  // has just created the same directory and is about to open its temp file there.
  async delete(key: string): Promise<void> {
    try {
      await unlink(this.pathOf(key));
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }

  async ping(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await access(this.root, 2 /* W_OK */);
  }

  /** Keys come from our own code, but a bug must never let one write outside the root. */
  private pathOf(key: string): string {
    const parts = key.split('/');
    const bad =
      key.length === 0 ||
      key.includes('\0') ||
      key.includes('\\') ||
      key.startsWith('/') ||
      parts.some((p) => p === '' || p === '.' || p === '..');
    const file = resolve(this.root, ...parts);
    if (bad || !file.startsWith(this.root + sep)) throw new Error(`invalid object key: ${JSON.stringify(key)}`);
    return file;
  }
}
