import type { Duplex } from 'node:stream';

/** Milliseconds and timers: the real ones, or a test's. */
export interface DelayClock {
  now(): number;
  schedule(task: () => void, ms: number): unknown;
  cancel(handle: unknown): void;
}

export const realClock: DelayClock;

export function delayedPipe(
  from: Duplex,
  to: Duplex,
  options: { delayMs: () => number; setupMs?: number; clock?: DelayClock },
): { stop(): void };

export interface DelayProxy {
  port: number;
  host: string;
  rtt(): number;
  setRtt(ms: number): void;
  setUpstream(port: number): void;
  connections(): number;
  reset(): void;
  stop(): Promise<void>;
}

export function startDelayProxy(options?: {
  upstreamPort?: number;
  rttMs?: number;
  clock?: DelayClock;
}): Promise<DelayProxy>;
