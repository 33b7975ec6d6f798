import type { SparePlaces } from './spare-connections.js';
import type { Exchange } from './transport.js';

/** Bounds the requests to one registry: at most `concurrency` at once and `requestsPerSecond` started per second. */
export class RequestLimiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private nextStart = 0;
  /** A spare is outstanding from its set-up until a request claims it (it is then a connection in flight) or it closes. */
  private outstandingSpares = 0;

  constructor(
    /** The requests the host allows at once. */
    readonly concurrency: number,
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
   * The places of the connections the host's clients set up ahead of their requests: one is taken while the spares
   * outstanding and the requests in flight are fewer than the requests the host allows at once.
   */
  readonly sparePlaces: SparePlaces = {
    take: () => {
      if (this.outstandingSpares + this.active >= this.concurrency) return false;
      this.outstandingSpares += 1;
      return true;
    },
    give: () => {
      this.outstandingSpares -= 1;
    },
  };

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
