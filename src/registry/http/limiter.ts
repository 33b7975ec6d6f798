import type { Exchange } from './transport.js';

/** Bounds the requests to one registry: at most `concurrency` at once and `requestsPerSecond` started per second. */
export class RequestLimiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private nextStart = 0;
  /** The connections each client of the host has been let set up ahead of its requests (see `spareConnections`). */
  private readonly spares = new Map<object, number>();

  constructor(
    private readonly concurrency: number,
    private readonly requestsPerSecond?: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      await this.pace();
      return await task();
    } finally {
      this.release();
    }
  }

  /**
   * How many connections `client` may have set up ahead of the `wanted` requests it expects: together with those of
   * the host's other clients, no more than the requests the host allows at once.
   */
  spareConnections(client: object, wanted: number): number {
    let others = 0;
    for (const [owner, count] of this.spares) if (owner !== client) others += count;
    const granted = Math.max(0, Math.min(wanted, this.concurrency - others));
    this.spares.set(client, Math.max(granted, this.spares.get(client) ?? 0));
    return granted;
  }

  private acquire(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }

  private async pace(): Promise<void> {
    if (!this.requestsPerSecond) return;
    const now = Date.now();
    const start = Math.max(now, this.nextStart);
    this.nextStart = start + 1000 / this.requestsPerSecond;
    if (start > now) await new Promise((resolve) => setTimeout(resolve, start - now));
  }
}

/** `send` within the bounds of `limiter`: each attempt takes a place of its own. */
export function limited(send: Exchange, limiter: RequestLimiter): Exchange {
  return (req, peer) => limiter.run(() => send(req, peer));
}
