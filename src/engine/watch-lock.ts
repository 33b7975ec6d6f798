import { LockError, type LockInfo } from '../core/errors.js';
import { acquireLock, type Lock } from '../state/index.js';
import type { Clock } from './watch-clock.js';

export interface StateLockWait {
  clock: Clock;
  pollMs: number;
  /** Aborting gives up the wait. */
  signal: AbortSignal;
  /** Called once, when the lock is found held by another process (an apply, say). */
  onWait(holder: LockInfo | null): void;
}

/**
 * Takes the state lock, polling while another process holds it instead of failing; undefined when `signal`
 * aborted the wait.
 */
export async function waitForStateLock(statePath: string, wait: StateLockWait): Promise<Lock | undefined> {
  let reported = false;
  for (;;) {
    if (wait.signal.aborted) return undefined;
    try {
      return await acquireLock(statePath, { operation: 'watch', timeoutMs: 0 });
    } catch (error) {
      if (!(error instanceof LockError)) throw error;
      if (!reported) wait.onWait(error.info ?? null);
      reported = true;
    }
    try {
      await wait.clock.sleep(wait.pollMs, wait.signal);
    } catch {
      return undefined;
    }
  }
}
