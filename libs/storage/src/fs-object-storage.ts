import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { access, mkdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ObjectNotFoundError, ObjectStorage } from './object-storage';

const MISSING = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);
const isMissing = (err: unknown) => MISSING.has((err as NodeJS.ErrnoException).code ?? '');

/** Objects as plain files under a root directory (one machine, development and tests). */
export class FsObjectStorage extends ObjectStorage {
  private readonly root: string;

  constructor(root: string) {
    super();
    this.root = resolve(root);
  }

  async put(key: string, body: Readable | Buffer): Promise<{ size: number }> {
    const file = this.pathOf(key);
    const dir = dirname(file);
    try {
      return await this.write(dir, file, body);
    } catch (err) {
      // The directory went away since we made it (deleted by hand, or a test's cleanup): once more.
      if (!isMissing(err) || !this.dirs.delete(dir) || !Buffer.isBuffer(body)) throw err;
      return this.write(dir, file, body);
    }
  }

  /** Directories already made: most puts go to a few (`results/`, `inputs/<tenant>/`), and a mkdir per put was a few per cent of a no-op worker's time. */
  private readonly dirs = new Set<string>();

  private async write(dir: string, file: string, body: Readable | Buffer): Promise<{ size: number }> {
    // A stream cannot be written twice, so its directory is made every time.
    if (!Buffer.isBuffer(body) || !this.dirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.dirs.add(dir);
    }
    // Same directory as the target so the rename stays on one filesystem and is atomic: readers
    // see the old object or the whole new one, never a partial write.
    const tmp = join(dir, `.${randomUUID()}.tmp`);
    try {
      let size: number;
      if (Buffer.isBuffer(body)) {
        await writeFile(tmp, body, { flag: 'wx' });
        size = body.length;
      } else {
        const out = createWriteStream(tmp, { flags: 'wx' });
        await pipeline(body, out);
        size = out.bytesWritten;
      }
      await rename(tmp, file);
      return { size };
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
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
