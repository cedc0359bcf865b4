import { Readable } from 'node:stream';

export class ObjectNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`object not found: ${key}`);
  }
}

export interface PutOptions {
  contentType?: string;
  fresh?: boolean;
}

/**
 * The port every app uses for files: uploaded inputs and job results. Keys are relative paths
 * such as `inputs/<job id>/input` or `results/<job id>.json`.
 */
export abstract class ObjectStorage {
  /**
   * Stores a body under key, replacing what was there; resolves with the bytes written.
   * `fresh`: the key is new and nobody reads it before put resolves (an upload under a new job
   * id), so a driver may skip what keeps readers of a replaced object safe (fs: the temp file
   * and rename); the key must not exist.
   */
  abstract put(key: string, body: Readable | Buffer, opts?: PutOptions): Promise<{ size: number }>;
  /** The whole object; throws ObjectNotFoundError when absent. */
  abstract get(key: string): Promise<Buffer>;
  /** Removes the object; absent objects are not an error. */
  abstract delete(key: string): Promise<void>;
  abstract exists(key: string): Promise<boolean>;
  /** Throws when the backing store cannot be reached (health checks). */
  abstract ping(): Promise<void>;
}
