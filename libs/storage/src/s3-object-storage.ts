import { Client } from 'minio';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ObjectNotFoundError, ObjectStorage, PutOptions } from './object-storage';

export interface S3Options {
  /** e.g. `http://127.0.0.1:9000`; the scheme decides TLS. */
  endpoint: string;
  region: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
}

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound']);
const isNotFound = (err: unknown) => NOT_FOUND.has((err as { code?: string }).code ?? '');

/** Objects in one bucket of an S3-compatible store (MinIO in production). */
export class S3ObjectStorage extends ObjectStorage {
  private readonly client: Client;
  private readonly bucket: string;
  private readonly region: string;

  constructor(opts: S3Options) {
    super();
    const url = new URL(opts.endpoint);
    const useSSL = url.protocol === 'https:';
    this.client = new Client({
      endPoint: url.hostname,
      port: url.port ? Number(url.port) : useSSL ? 443 : 80,
      useSSL,
      // Bucket in the path, not the host name: MinIO and local endpoints have no wildcard DNS.
      pathStyle: true,
      region: opts.region,
      accessKey: opts.accessKey,
      secretKey: opts.secretKey,
    });
    this.bucket = opts.bucket;
    this.region = opts.region;
  }

  async put(key: string, body: Readable | Buffer, opts?: PutOptions): Promise<{ size: number }> {
    const meta = opts?.contentType ? { 'Content-Type': opts.contentType } : {};
    if (Buffer.isBuffer(body)) {
      await this.client.putObject(this.bucket, key, body, body.length, meta);
      return { size: body.length };
    }
    // A stream is collected first rather than handed to putObject. Without a known size minio
    // assumes the 5 TiB maximum, so it (a) buffers up to a ~528 MiB part in memory anyway and
    // (b) always takes the multipart path, which first lists in-progress uploads, a call some
    // S3 look-alikes (s3rver) do not implement. Objects here are capped uploads (MAX_UPLOAD_BYTES)
    // and job results, so one buffer and one PUT is both simpler and no more memory.
    // Going through pipeline also means an error from the source (say, a size limit) rejects put
    // before anything is sent, so no partial object is left behind.
    let size = 0;
    const counter = new PassThrough();
    counter.on('data', (chunk: Buffer) => (size += chunk.length));
    const chunks: Buffer[] = [];
    await pipeline(body, counter, async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) chunks.push(chunk);
    });
    await this.client.putObject(this.bucket, key, Buffer.concat(chunks, size), size, meta);
    return { size };
  }

  async get(key: string): Promise<Buffer> {
    try {
      const stream = await this.client.getObject(this.bucket, key);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    } catch (err) {
      if (isNotFound(err)) throw new ObjectNotFoundError(key);
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.removeObject(this.bucket, key);
    } catch (err) {
      // S3 answers 204 for absent keys; this is for stores that answer 404 instead.
      if (!isNotFound(err)) throw err;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.statObject(this.bucket, key);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async ping(): Promise<void> {
    if (!(await this.client.bucketExists(this.bucket))) throw new Error(`bucket ${this.bucket} does not exist`);
  }

  /** Creates the bucket when missing; safe to call from several apps booting at once. */
  async ensureBucket(): Promise<void> {
    if (await this.client.bucketExists(this.bucket)) return;
    try {
      await this.client.makeBucket(this.bucket, this.region);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw err;
    }
  }
}
