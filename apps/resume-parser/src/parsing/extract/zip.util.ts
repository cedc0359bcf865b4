import { inflateRawSync } from 'node:zlib';
import { ErrorCode } from '@jobdesk/contracts';
import { ParseError } from '../parse-error';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  encrypted: boolean;
}

export interface ZipLimits {
  /** entries in the archive */
  maxEntries: number;
  /** decompressed bytes of the entries actually read, all together */
  maxInflated: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxEntries: 2_000, maxInflated: 64 * 1024 * 1024 };

const corrupt = (what: string, why: string) => new ParseError(ErrorCode.CorruptInput, `unreadable ${what}: ${why}`);

/** Reads a zip's central directory (no ZIP64: an office document never needs it). */
export function readZipDirectory(buf: Buffer, what: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): ZipEntry[] {
  if (buf.length < 22 || buf.readUInt32LE(0) !== 0x04034b50) throw corrupt(what, 'not a zip archive');
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw corrupt(what, 'no end of central directory (truncated?)');
  const count = buf.readUInt16LE(eocd + 10);
  const size = buf.readUInt32LE(eocd + 12);
  const offset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || offset === 0xffffffff) throw new ParseError(ErrorCode.InputTooLarge, `${what} is a ZIP64 archive, too large for a resume`);
  if (count > limits.maxEntries) throw new ParseError(ErrorCode.InputTooLarge, `${what} has ${count} zip entries, the limit is ${limits.maxEntries}`);
  if (offset + size > eocd) throw corrupt(what, 'central directory out of bounds');
  const entries: ZipEntry[] = [];
  let p = offset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw corrupt(what, 'bad central directory entry');
    const flags = buf.readUInt16LE(p + 8);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    entries.push({
      name: buf.toString('utf8', p + 46, p + 46 + nameLen),
      method: buf.readUInt16LE(p + 10),
      compressedSize: buf.readUInt32LE(p + 20),
      uncompressedSize: buf.readUInt32LE(p + 24),
      localHeaderOffset: buf.readUInt32LE(p + 42),
      encrypted: (flags & 1) === 1,
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/**
 * Inflates one entry, never past `budget` bytes whatever its header claims (zlib stops at
 * maxOutputLength): a zip bomb ends as input_too_large, not as an exhausted heap.
 */
export function inflateEntry(buf: Buffer, entry: ZipEntry, what: string, budget: number): Buffer {
  if (entry.encrypted) throw new ParseError(ErrorCode.EncryptedInput, `${what} is encrypted`);
  const lh = entry.localHeaderOffset;
  if (lh + 30 > buf.length || buf.readUInt32LE(lh) !== 0x04034b50) throw corrupt(what, `bad local header for ${entry.name}`);
  const start = lh + 30 + buf.readUInt16LE(lh + 26) + buf.readUInt16LE(lh + 28);
  const end = start + entry.compressedSize;
  if (end > buf.length) throw corrupt(what, `${entry.name} is truncated`);
  const data = buf.subarray(start, end);
  if (entry.uncompressedSize > budget) throw tooLarge(what, budget);
  if (entry.method === 0) return data;
  if (entry.method !== 8) throw corrupt(what, `unsupported compression method ${entry.method}`);
  try {
    return inflateRawSync(data, { maxOutputLength: Math.max(1, budget) });
  } catch (err: any) {
    if (err?.code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) throw tooLarge(what, budget);
    throw corrupt(what, `${entry.name}: ${String(err?.message ?? err)}`);
  }
}

const tooLarge = (what: string, budget: number) =>
  new ParseError(ErrorCode.InputTooLarge, `${what} decompresses to more than ${Math.round(budget / 1024 / 1024)} MiB (zip bomb?)`);

/** Reads the named entries within one shared decompression budget. */
export function readZipEntries(buf: Buffer, what: string, pick: (name: string) => boolean, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Map<string, Buffer> {
  const entries = readZipDirectory(buf, what, limits);
  const out = new Map<string, Buffer>();
  let left = limits.maxInflated;
  for (const e of entries) {
    if (!pick(e.name)) continue;
    const data = inflateEntry(buf, e, what, left);
    left -= data.length;
    out.set(e.name, data);
  }
  return out;
}
