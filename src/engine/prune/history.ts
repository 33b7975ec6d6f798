import { recordedTag } from '../../core/state-lookup.js';
import type { State, TagItem } from '../../core/state-model.js';

export interface HistoryPolicy {
  /** Items kept per tag, newest first (the current item is kept even with 0). */
  keepTagRevisions: number;
  /** Items younger than this (milliseconds) are kept whatever their rank. */
  keepYoungerThanMs: number;
  now: Date;
}

/** A tag whose history loses items. */
export interface TrimmedTag {
  address: string;
  stream: string;
  tag: string;
  /** Newest first, the current item first of all. */
  kept: TagItem[];
  removed: TagItem[];
}

/**
 * Which items each tag's history drops (OpenShift's `oc adm prune images` rules): those beyond the
 * `keepTagRevisions` newest that are older than `keepYoungerThanMs`; never the current item. Tags that keep
 * everything are left out.
 */
export function trimHistory(state: State, policy: HistoryPolicy): TrimmedTag[] {
  const cutoff = policy.now.getTime() - policy.keepYoungerThanMs;
  const trimmed: TrimmedTag[] = [];
  for (const [stream, streamState] of sortedEntries(state.streams)) {
    for (const [tag, tagState] of sortedEntries(streamState.tags)) {
      const keep = (item: TagItem, rank: number) =>
        rank === 0 || rank < policy.keepTagRevisions || Date.parse(item.created) > cutoff;
      const kept = tagState.items.filter(keep);
      const removed = tagState.items.filter((item, rank) => !keep(item, rank));
      if (removed.length > 0) trimmed.push({ address: `${stream}:${tag}`, stream, tag, kept, removed });
    }
  }
  return trimmed;
}

/** The state with the trimmed histories (a copy; `state` is left as it is). */
export function stateAfter(state: State, trimmed: readonly TrimmedTag[]): State {
  const after = structuredClone(state);
  for (const { stream, tag, kept } of trimmed) {
    const tagState = recordedTag(after, stream, tag);
    if (tagState) tagState.items = structuredClone(kept);
  }
  return after;
}

function sortedEntries<T>(record: Record<string, T>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}
