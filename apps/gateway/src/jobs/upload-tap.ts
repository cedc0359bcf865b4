import { createHash, Hash } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';

/**
 * Passes an upload through unchanged, keeping its first `limit` bytes for format sniffing and
 * a SHA-256 of the whole for the Idempotency-Key fingerprint.
 */
export class UploadTap extends Transform {
  private chunks: Buffer[] = [];
  private captured = 0;
  private readonly hash: Hash = createHash('sha256');

  constructor(private readonly limit: number) {
    super();
  }

  get head(): Buffer {
    return Buffer.concat(this.chunks);
  }

  digest(): string {
    return this.hash.copy().digest('hex');
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.captured < this.limit) {
      const part = chunk.subarray(0, this.limit - this.captured);
      this.chunks.push(part);
      this.captured += part.length;
    }
    this.hash.update(chunk);
    cb(null, chunk);
  }
}
