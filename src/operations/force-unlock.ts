import type { LockInfo } from '../core/errors.js';
import { forceUnlock } from '../state/index.js';

/** Removes a stale lock of the state, only when `id` is the lock's; returns what the lock said. */
export function forceUnlockOperation(statePath: string, id: string): Promise<LockInfo> {
  return forceUnlock(statePath, id);
}
