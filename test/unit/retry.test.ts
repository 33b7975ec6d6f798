import { describe, expect, it } from 'vitest';
import { RequestLimiter } from '../../src/registry/http/limiter.js';
import { DEFAULT_RETRY_POLICY, parseRetryAfter, retryDelay } from '../../src/registry/http/retry.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    ['3', 3000],
    [' 0 ', 0],
    ['Thu, 01 Jan 2026 00:00:10 GMT', 10_000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ['soon', undefined],
    [undefined, undefined],
  ])('reads %j as %j ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe('retryDelay', () => {
  it('waits what Retry-After says', () => {
    expect(retryDelay(0, 2000, DEFAULT_RETRY_POLICY)).toBe(2000);
  });
  it('grows exponentially with jitter between half and all of the ceiling, capped', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(retryDelay(0, undefined, policy, () => 0)).toBe(50);
    expect(retryDelay(0, undefined, policy, () => 1)).toBe(100);
    expect(retryDelay(2, undefined, policy, () => 1)).toBe(400);
    expect(retryDelay(10, undefined, policy, () => 1)).toBe(1000);
  });
});

describe('RequestLimiter', () => {
  it('never runs more tasks at once than its concurrency', async () => {
    const limiter = new RequestLimiter(2);
    let running = 0;
    let peak = 0;
    const task = async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
    };
    await Promise.all(Array.from({ length: 10 }, () => limiter.run(task)));
    expect(peak).toBe(2);
  });

  it('spaces task starts by the request rate', async () => {
    const limiter = new RequestLimiter(10, 50);
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 5 }, () => limiter.run(async () => void starts.push(Date.now()))));
    expect(starts.at(-1)! - starts[0]!).toBeGreaterThanOrEqual(4 * 20 - 5);
  });
});
