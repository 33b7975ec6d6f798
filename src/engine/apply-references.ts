import { RegistryError } from '../core/errors.js';
import type { PlannedChange } from '../core/plan-model.js';
import { recordedTag } from '../core/state-lookup.js';
import type { TagItem } from '../core/state-model.js';
import type { StateStore } from '../state/index.js';

/** A change of a tag that follows another tag or an image of a stream (`change.reference` is set). */
export type FollowingChange = PlannedChange & { reference: NonNullable<PlannedChange['reference']> };

export function isFollowingChange(change: PlannedChange): change is FollowingChange {
  return change.reference !== undefined;
}

/**
 * The changes of following tags, each after the tag it gets its image from when that one changes too (the catalog
 * has no cycles, so each round takes at least one).
 */
export function inDependencyOrder(changes: FollowingChange[]): FollowingChange[] {
  const pending = new Map(changes.map((c) => [c.address, c]));
  const ordered: FollowingChange[] = [];
  while (pending.size > 0) {
    const ready = [...pending.values()].filter((c) => !pending.has(c.reference.address));
    for (const change of ready.length > 0 ? ready : [...pending.values()]) {
      ordered.push(change);
      pending.delete(change.address);
    }
  }
  return ordered;
}

/**
 * The item a following tag records: the planned image as the tag it comes from recorded it (in this apply or
 * before), so its metadata comes along; a RegistryError when that tag does not hold it (its import failed).
 */
export function followedItem(change: FollowingChange, store: StateStore, created: Date, generation: number): TagItem {
  const planned = change.after!;
  const via = change.reference.address;
  const colon = via.indexOf(':');
  const recorded = recordedTag(store.state, via.slice(0, colon), via.slice(colon + 1));
  const item = recorded?.items.find(
    (i) => i.digest === planned.digest && i.dockerImageReference === planned.dockerImageReference,
  );
  if (!item) {
    throw new RegistryError(
      'NotFound',
      `${change.address} follows ${change.reference.name}, but ${via} does not hold ${planned.digest}: its import did not complete`,
    );
  }
  return { ...item, created: created.toISOString(), generation };
}
