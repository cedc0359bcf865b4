/**
 * A handler's way to say how a job failed. `retryable: false` (bad input, a permanent
 * rejection) ends the job at once; anything else thrown is treated as transient and retried.
 */
export class JobFailure extends Error {
  constructor(readonly code: string, message: string, readonly retryable = false) {
    super(message);
    this.name = 'JobFailure';
  }
}
