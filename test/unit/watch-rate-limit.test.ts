import { describe, expect, it } from 'vitest';
import { ImportRateLimit } from '../../src/engine/watch/rate-limit.js';
import { ManualClock } from '../helpers/manual-clock.js';

async function startTimes(perMinute: number, takes: number, clock = new ManualClock()): Promise<number[]> {
  const limit = new ImportRateLimit(perMinute, clock);
  const origin = clock.now();
  const times: number[] = [];
  const all = Array.from({ length: takes }, () => limit.take().then(() => times.push(clock.now() - origin)));
  await clock.advance(10 * 60_000);
  await Promise.all(all);
  return times.sort((a, b) => a - b);
}

describe('the global import rate limit', () => {
  it.each([
    [60, [0, 1_000, 2_000, 3_000]],
    [120, [0, 500, 1_000, 1_500]],
    [1, [0, 60_000, 120_000, 180_000]],
  ])('at %i a minute spaces starts evenly, without a burst: %j', async (perMinute, expected) => {
    expect(await startTimes(perMinute, 4)).toEqual(expected);
  });

  it('does not limit at 0', async () => {
    expect(await startTimes(0, 3)).toEqual([0, 0, 0]);
  });

  it('lets a slot be taken at once when the last start is long past', async () => {
    const clock = new ManualClock();
    const limit = new ImportRateLimit(60, clock);
    await limit.take();
    await clock.advance(5_000);
    const before = clock.now();
    await limit.take();
    expect(clock.now()).toBe(before);
  });

  it('gives up the wait when its signal aborts', async () => {
    const clock = new ManualClock();
    const limit = new ImportRateLimit(60, clock);
    await limit.take();
    const stop = new AbortController();
    const waiting = limit.take(stop.signal);
    stop.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
  });
});
