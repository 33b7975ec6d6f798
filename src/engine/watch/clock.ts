import { sleep } from '../../registry/http/retry.js';

/** Longest single timer: Node's setTimeout fires at once for more than 2^31-1 ms (about 24.8 days). */
export const MAX_TIMER_MS = 24 * 24 * 60 * 60 * 1000;

/** Time as `watch` sees it; tests give a clock they move by hand. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when it is aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(Math.min(Math.max(0, ms), MAX_TIMER_MS), signal),
};
