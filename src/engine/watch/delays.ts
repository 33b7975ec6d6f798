import { DEFAULT_RETRY_POLICY } from '../../registry/http/retry.js';
import { MAX_TIMER_MS } from './clock.js';
import type { WatchFailureReason } from './events.js';

/** Jitter only ever brings a run earlier, by up to this fraction, so a move is seen within one interval. */
export const JITTER_FRACTION = 0.1;

/** A failing tag waits 1, 2, 4, then 8 intervals between attempts, never longer. */
export const MAX_BACKOFF_INTERVALS = 8;

/**
 * The least a tag waits after the registry rate-limited it: the client already honoured any Retry-After up to this
 * long before giving up. A longer Retry-After is waited for in full (up to what a timer holds).
 */
export const RATE_LIMITED_DELAY_MS = DEFAULT_RETRY_POLICY.maxRetryAfterMs;

/** An interval as a timer can hold it. */
export function timerInterval(intervalMs: number): number {
  return Math.min(Math.max(1, intervalMs), MAX_TIMER_MS);
}

/**
 * Delay before a tag's first check: at once when it must be imported (new, or its spec changed), otherwise a
 * random point of its interval, so that tags spread over the interval instead of all starting together.
 */
export function firstCheckDelay(intervalMs: number, dueNow: boolean, random: () => number): number {
  return dueNow ? 0 : Math.floor(random() * timerInterval(intervalMs));
}

/** Delay after a check that succeeded: one interval, made up to JITTER_FRACTION shorter. */
export function nextCheckDelay(intervalMs: number, random: () => number): number {
  return jittered(timerInterval(intervalMs), random);
}

/**
 * Delay after the `failures`-th failure in a row: exponential in the interval, capped; after a rate limit, at least
 * RATE_LIMITED_DELAY_MS and at least the `retryAfterMs` the registry asked for.
 */
export function failureDelay(
  intervalMs: number,
  failures: number,
  reason: WatchFailureReason,
  random: () => number,
  retryAfterMs = 0,
): number {
  const intervals = Math.min(2 ** Math.max(0, failures - 1), MAX_BACKOFF_INTERVALS);
  const delay = jittered(Math.min(timerInterval(intervalMs) * intervals, MAX_TIMER_MS), random);
  if (reason !== 'TooManyRequests') return delay;
  return Math.min(Math.max(delay, RATE_LIMITED_DELAY_MS, retryAfterMs), MAX_TIMER_MS);
}

function jittered(ms: number, random: () => number): number {
  return Math.round(ms * (1 - JITTER_FRACTION * random()));
}
