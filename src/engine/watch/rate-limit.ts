import type { Clock } from './clock.js';

/** OpenShift's default `maxScheduledImageImportsPerMinute`. */
export const DEFAULT_IMPORTS_PER_MINUTE = 60;

/**
 * Spaces the start of scheduled imports evenly: at most `perMinute` a minute, one every 60/perMinute seconds
 * (no bursts). 0 means no limit.
 */
export class ImportRateLimit {
  private nextStart = Number.NEGATIVE_INFINITY;

  constructor(
    readonly perMinute: number,
    private readonly clock: Clock,
  ) {}

  /** Waits for the next slot and takes it; rejects when `signal` aborts the wait (the slot is then lost). */
  async take(signal?: AbortSignal): Promise<void> {
    if (this.perMinute <= 0) return;
    const now = this.clock.now();
    const start = Math.max(now, this.nextStart);
    this.nextStart = start + 60_000 / this.perMinute;
    if (start > now) await this.clock.sleep(start - now, signal);
  }
}
