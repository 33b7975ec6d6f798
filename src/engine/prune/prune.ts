import { recordedTag } from '../../core/state-lookup.js';
import type { State } from '../../core/state-model.js';
import type { StateStore } from '../../state/index.js';
import type { LocalStore } from '../local-store.js';
import { type HistoryPolicy, stateAfter, type TrimmedTag, trimHistory } from './history.js';
import { applyStorePrune, planStorePrune, type StorePrune } from './store.js';

/** What a prune removes: items of tag histories, then what the local store no longer needs. */
export interface PrunePlan {
  history: TrimmedTag[];
  /** Null when the catalog has no local store. */
  store: StorePrune | null;
  totals: PruneTotals;
}

export interface PruneTotals {
  /** History items removed, and the tags they belong to. */
  items: number;
  tags: number;
  manifests: number;
  blobs: number;
  /** Bytes freed in the local store (for a registry, at most this much once it collects garbage). */
  bytes: number;
}

/** Finds what to prune; reads the local store, changes nothing. */
export async function planPrune(
  state: State,
  store: LocalStore | undefined,
  policy: HistoryPolicy,
): Promise<PrunePlan> {
  const history = trimHistory(state, policy);
  const pruned = store ? await planStorePrune(store, stateAfter(state, history), history) : null;
  const streams = pruned?.streams ?? [];
  return {
    history,
    store: pruned,
    totals: {
      items: history.reduce((sum, t) => sum + t.removed.length, 0),
      tags: history.length,
      manifests: streams.reduce((sum, s) => sum + s.manifests.length, 0),
      blobs: streams.reduce((sum, s) => sum + s.blobs.length, 0),
      bytes: streams.reduce((sum, s) => sum + s.bytes, 0),
    },
  };
}

/**
 * Deletes from the local store first, then records the trimmed histories: an interruption leaves at worst items
 * that name deleted images, which the next prune removes again (a registry answers 404, which is fine), never
 * images no item names that nothing would find again.
 */
export async function applyPrune(plan: PrunePlan, state: StateStore, store: LocalStore | undefined): Promise<void> {
  if (plan.store && store) await applyStorePrune(store, plan.store);
  for (const { stream, tag, kept } of plan.history) {
    const current = recordedTag(state.state, stream, tag);
    if (!current) continue;
    await state.record({ op: 'setTag', stream, tag, value: { ...current, items: kept } });
  }
  await state.commit();
}
