/**
 * Group commit: calls that arrive while earlier batches are in flight wait and go out together
 * in the next one. An idle service sends each call at once (no timer, no added latency); a busy
 * one sends one statement for many calls, which spares PostgreSQL a
 * commit per row and the tracker a round trip per call.
 */
export class Batcher<T, R> {
  private readonly waiting: Array<{ item: T; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  private inFlight = 0;

  /** `send` answers each item, in order, with its result or the Error that item alone gets. */
  constructor(
    private readonly send: (items: T[]) => Promise<Array<R | Error>>,
    private readonly opts: { maxBatch: number; concurrency: number },
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.opts.concurrency && this.waiting.length) {
      const batch = this.waiting.splice(0, this.opts.maxBatch);
      this.inFlight++;
      this.send(batch.map((b) => b.item))
        .then(
          (results) => batch.forEach((b, i) => (results[i] instanceof Error ? b.reject(results[i]) : b.resolve(results[i] as R))),
          (e: unknown) => batch.forEach((b) => b.reject(e)),
        )
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }
}
