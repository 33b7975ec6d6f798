import type { Clock } from '../../src/engine/watch/clock.js';

interface Sleeper {
  at: number;
  resolve: () => void;
}

/** A clock that moves only when told to, waking sleepers in time order; no real waiting. */
export class ManualClock implements Clock {
  private time: number;
  private readonly sleepers = new Set<Sleeper>();

  constructor(start = Date.parse('2026-01-01T00:00:00Z')) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const sleeper: Sleeper = {
        at: this.time + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers.delete(sleeper);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.add(sleeper);
    });
  }

  /** Moves time forward by `ms`, waking each sleeper at its time and letting what it wakes run. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      await settle();
      const next = [...this.sleepers].filter((s) => s.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.sleepers.delete(next);
      this.time = Math.max(this.time, next.at);
      next.resolve();
    }
    this.time = target;
    await settle();
  }
}

/** Lets pending promise callbacks and immediate callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
