import type { CatalogTag } from '../core/catalog.js';
import type { PlannedError } from '../core/plan-model.js';
import { recordedTag } from '../core/state-lookup.js';
import { failedTagState } from '../engine/tag-outcome.js';
import { acquireLock, StateStore } from '../state/index.js';

export { holdsStateLock, releaseHeldLocksNow } from '../state/index.js';

/** How an operation takes the state lock. */
export interface LockRequest {
  /** Named in the lock, for whoever finds it held. */
  operation: string;
  /** How long to wait for a lock another process holds, in milliseconds; 0: fail at once. */
  timeoutMs: number;
}

/** Runs `work` with the state opened under its lock; the lock is released however `work` ends. */
export async function withLockedState<T>(
  statePath: string,
  lock: LockRequest,
  work: (store: StateStore) => Promise<T>,
): Promise<T> {
  const held = await acquireLock(statePath, lock);
  try {
    return await work(await StateStore.open(statePath));
  } finally {
    await held.release();
  }
}

/** A tag whose source could not be resolved keeps its items and gets a failed condition; committed at once. */
export async function recordUnresolvedTag(
  store: StateStore,
  tag: CatalogTag,
  error: Pick<PlannedError, 'reason' | 'message'>,
  at: Date,
): Promise<void> {
  const prior = recordedTag(store.state, tag.stream, tag.tag);
  const value = failedTagState(tag.spec, prior, error, store.priorSerial + 1, at);
  await store.record({ op: 'setTag', stream: tag.stream, tag: tag.tag, value });
  await store.commit();
}
