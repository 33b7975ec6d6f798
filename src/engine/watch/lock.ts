import { LockError, type LockInfo, StateError } from '../../core/errors.js';
import { acquireLock, isStale, type Lock, staleLockMessage } from '../../state/index.js';
import type { Clock } from './clock.js';

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
 * aborted the wait. A lock whose holder is no longer running on this host would never be released: that is not
 * waited for but thrown as a StateError naming `force-unlock ID` (the check fails, and is tried again later). The
 * lock is never removed here.
 */
export async function waitForStateLock(statePath: string, wait: StateLockWait): Promise<Lock | undefined> {
  let reported = false;
  for (;;) {
    if (wait.signal.aborted) return undefined;
    try {
      return await acquireLock(statePath, { operation: 'watch', timeoutMs: 0 });
    } catch (error) {
      if (!(error instanceof LockError)) throw error;
      if (error.info && isStale(error.info)) throw new StateError(staleLockMessage(statePath, error.info));
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
