import { Transform, TransformCallback } from 'node:stream';

/** Passes a stream through unchanged, keeping its first `limit` bytes for format sniffing. */
export class HeadCapture extends Transform {
  private chunks: Buffer[] = [];
  private captured = 0;

  constructor(private readonly limit: number) {
    super();
  }

  get head(): Buffer {
    return Buffer.concat(this.chunks);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.captured < this.limit) {
      const part = chunk.subarray(0, this.limit - this.captured);
      this.chunks.push(part);
      this.captured += part.length;
    }
    cb(null, chunk);
  }
}
