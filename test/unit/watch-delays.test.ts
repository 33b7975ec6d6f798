import { describe, expect, it } from 'vitest';
import { MAX_TIMER_MS } from '../../src/engine/watch/clock.js';
import {
  failureDelay,
  firstCheckDelay,
  nextCheckDelay,
  RATE_LIMITED_DELAY_MS,
  timerInterval,
} from '../../src/engine/watch/delays.js';

const MINUTE = 60_000;
const never = () => 0;
const almostOne = () => 0.999_999;

describe('watch delays', () => {
  it.each([
    ['a tag that must be imported', true, 0.7, 0],
    ['an imported tag, at the start of its interval', false, 0, 0],
    ['an imported tag, at a random point of its interval', false, 0.25, 15 * MINUTE * 0.25],
  ])('first check of %s', (_, dueNow, draw, expected) => {
    expect(firstCheckDelay(15 * MINUTE, dueNow, () => draw)).toBe(expected);
  });

  it('never waits more than one interval after a success, and at least 90% of it', () => {
    expect(nextCheckDelay(15 * MINUTE, never)).toBe(15 * MINUTE);
    expect(nextCheckDelay(15 * MINUTE, almostOne)).toBe(Math.round(15 * MINUTE * (1 - 0.1 * 0.999_999)));
  });

  it.each([
    [1, 15],
    [2, 30],
    [3, 60],
    [4, 120],
    [5, 120],
    [50, 120],
  ])('after failure %i in a row waits %i minutes (15m interval)', (failures, minutes) => {
    expect(failureDelay(15 * MINUTE, failures, 'Unreachable', never)).toBe(minutes * MINUTE);
  });

  it('jitters a backoff by at most 10%, never longer', () => {
    const delay = failureDelay(15 * MINUTE, 2, 'InternalError', almostOne);
    expect(delay).toBeLessThan(30 * MINUTE);
    expect(delay).toBeGreaterThanOrEqual(27 * MINUTE);
  });

  it('waits at least the longest Retry-After the client honours after a rate limit', () => {
    expect(failureDelay(2_000, 1, 'TooManyRequests', never)).toBe(RATE_LIMITED_DELAY_MS);
    expect(failureDelay(15 * MINUTE, 1, 'TooManyRequests', never)).toBe(15 * MINUTE);
  });

  it('waits as long as the registry asked (Retry-After) after a rate limit, within what a timer can hold', () => {
    expect(failureDelay(2_000, 1, 'TooManyRequests', never, 60 * MINUTE)).toBe(60 * MINUTE);
    expect(failureDelay(2_000, 1, 'TooManyRequests', never, 10_000)).toBe(RATE_LIMITED_DELAY_MS);
    expect(failureDelay(2_000, 1, 'TooManyRequests', never, 365 * 24 * 60 * MINUTE)).toBe(MAX_TIMER_MS);
  });

  it('keeps every delay within what a timer can hold (24 days)', () => {
    const year = 365 * 24 * 60 * MINUTE;
    expect(timerInterval(year)).toBe(MAX_TIMER_MS);
    expect(nextCheckDelay(year, never)).toBe(MAX_TIMER_MS);
    expect(failureDelay(year, 10, 'NotFound', never)).toBe(MAX_TIMER_MS);
    expect(firstCheckDelay(year, false, almostOne)).toBeLessThan(MAX_TIMER_MS);
    expect(MAX_TIMER_MS).toBeLessThan(2 ** 31 - 1);
  });
});
