import { createHash, Hash } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';

/**
 * Passes an upload through unchanged, keeping its first `limit` bytes for format sniffing and,
 * with `hashed` (an Idempotency-Key came with it), a SHA-256 of the whole for the key's
 * fingerprint — hashing every upload was a few per cent of the gateway's time.
 */
export class UploadTap extends Transform {
  private chunks: Buffer[] = [];
  private captured = 0;
  private readonly hash: Hash | null;

  constructor(
    private readonly limit: number,
    hashed: boolean,
  ) {
    super();
    this.hash = hashed ? createHash('sha256') : null;
  }

  get head(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** The SHA-256 of what passed (hex), or null when not hashed. */
  digest(): string | null {
    return this.hash?.copy().digest('hex') ?? null;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.captured < this.limit) {
      const part = chunk.subarray(0, this.limit - this.captured);
      this.chunks.push(part);
      this.captured += part.length;
    }
    this.hash?.update(chunk);
    cb(null, chunk);
  }
}
