/** After a stop, how long imports in progress may take to finish before they are abandoned (watch's too). */
export const STOP_GRACE_MS = 5_000;

/**
 * A request to stop imports, as SIGINT or SIGTERM makes it: the first stops starting new imports and gives those in
 * progress `graceMs` to finish, after which they are abandoned.
 */
export class Interruption {
  private readonly stopController = new AbortController();
  private readonly abandonController = new AbortController();
  private importingCount = 0;

  constructor(private readonly graceMs: number = STOP_GRACE_MS) {}

  /** Aborted at the first request: no new import starts. */
  get stop(): AbortSignal {
    return this.stopController.signal;
  }

  /** Aborted once the grace period is over: imports still in progress are abandoned. */
  get abandon(): AbortSignal {
    return this.abandonController.signal;
  }

  /** True while `importing` runs: a stop is then graceful. */
  get importing(): boolean {
    return this.importingCount > 0;
  }

  /** Stops the imports: no new one starts, and those in progress are abandoned after the grace period. */
  request(): void {
    if (this.stop.aborted) return;
    this.stopController.abort(new Error('interrupted'));
    setTimeout(() => this.abandonController.abort(new Error('abandoned')), this.graceMs).unref();
  }

  /** Runs `work`, the imports a request stops. */
  async whileImporting<T>(work: () => Promise<T>): Promise<T> {
    this.importingCount++;
    try {
      return await work();
    } finally {
      this.importingCount--;
    }
  }
}
