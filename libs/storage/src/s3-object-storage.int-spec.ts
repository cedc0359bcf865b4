import { Client } from 'minio';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunked, behavesLikeObjectStorage } from './object-storage.behaviour';
import { S3ObjectStorage, S3Options } from './s3-object-storage';

// s3rver is an in-process fake S3 on the local disk. It is good enough for the contract but not
// for everything: it does not verify SigV4 signatures (only that the access key is its built-in
// S3RVER one) and it cannot list multipart uploads, which minio's client does before every
// multipart upload. minio switches to multipart above its 64 MB part size, so test objects stay
// well under that.
// s3rver ships no types; this is the slice used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver: new (opts: object) => { run(): Promise<AddressInfo>; close(): Promise<void> } = require('s3rver');

describe('S3ObjectStorage (s3rver)', () => {
  let dir: string;
  let server: InstanceType<typeof S3rver>;
  let opts: S3Options;
  let storage: S3ObjectStorage;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jobdesk-s3rver-'));
    server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir });
    const { port } = await server.run();
    opts = {
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      bucket: 'jobdesk-test',
      accessKey: 'S3RVER',
      secretKey: 'S3RVER',
    };
    storage = new S3ObjectStorage(opts);
    // The server starts with no buckets, so this also covers creating one.
    await expect(storage.ping()).rejects.toThrow('does not exist');
    await storage.ensureBucket();
    await storage.ensureBucket();
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  behavesLikeObjectStorage(() => storage);

  it('round-trips a 5 MB stream', async () => {
    const body = randomBytes(5 * 1024 * 1024);
    await expect(storage.put('big/object', chunked(body))).resolves.toEqual({ size: body.length });
    expect((await storage.get('big/object')).equals(body)).toBe(true);
  });

  it('stores the content type', async () => {
    await storage.put('typed.json', Buffer.from('{}'), { contentType: 'application/json' });
    const client = new Client({ endPoint: '127.0.0.1', port: Number(new URL(opts.endpoint).port), useSSL: false, pathStyle: true, accessKey: 'S3RVER', secretKey: 'S3RVER' });
    expect((await client.statObject(opts.bucket, 'typed.json')).metaData['content-type']).toBe('application/json');
  });

  it('fails ping when the server is unreachable', async () => {
    const gone = new S3ObjectStorage({ ...opts, endpoint: 'http://127.0.0.1:1' });
    await expect(gone.ping()).rejects.toThrow();
  });
});
