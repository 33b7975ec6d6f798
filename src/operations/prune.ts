import type { Catalog } from '../core/catalog.js';
import { catalogLocalStore } from '../engine/local-store.js';
import type { HistoryPolicy } from '../engine/prune/history.js';
import { applyPrune, type PrunePlan, planPrune } from '../engine/prune/prune.js';
import { StateStore } from '../state/index.js';
import { type CatalogRepositoriesOptions, withRepositories } from './repositories.js';
import { withLockedState } from './state.js';

export type { PrunePlan, PruneTotals } from '../engine/prune/prune.js';
export type { StreamPrune } from '../engine/prune/store.js';

export interface PruneRequest extends CatalogRepositoriesOptions {
  policy: HistoryPolicy;
  /** false: only find what would be pruned. */
  confirm: boolean;
  /** How long to wait for the state lock when pruning, in milliseconds (default: fail at once). */
  lockTimeoutMs?: number;
}

/** Trims each tag's history and deletes what no remaining item references from the local store. */
export function pruneOperation(catalog: Catalog, request: PruneRequest): Promise<PrunePlan> {
  return withRepositories(catalog, request, async (repositories) => {
    const local = catalogLocalStore(catalog, repositories.openTag);
    const prune = async (store: StateStore): Promise<PrunePlan> => {
      const plan = await planPrune(store.state, local, request.policy);
      if (request.confirm) await applyPrune(plan, store, local);
      return plan;
    };
    if (!request.confirm) return prune(await StateStore.open(catalog.statePath));
    const lock = { operation: 'prune', timeoutMs: request.lockTimeoutMs ?? 0 };
    return withLockedState(catalog.statePath, lock, prune);
  });
}
