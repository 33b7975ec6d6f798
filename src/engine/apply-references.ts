import { RegistryError } from '../core/errors.js';
import { type FollowingChange, isFollowingChange } from '../core/following-changes.js';
import type { PlannedChange } from '../core/plan-model.js';
import { importedFrom } from '../core/reference-planner.js';
import { recordedTag } from '../core/state-lookup.js';
import type { TagItem } from '../core/state-model.js';
import type { StateStore } from '../state/index.js';

/**
 * The item a following tag records: the planned image as the tag it comes from recorded it (in this apply or
 * before), so its metadata comes along; a RegistryError when that tag does not hold it (its import failed). A Local
 * follower records it as pulled from its own mirror (the planned pull spec), copied from where that tag pulls it.
 */
export function followedItem(change: FollowingChange, store: StateStore, created: Date, generation: number): TagItem {
  const planned = change.after!;
  const via = change.reference.address;
  const colon = via.indexOf(':');
  const recorded = recordedTag(store.state, via.slice(0, colon), via.slice(colon + 1));
  const local = change.spec?.referencePolicy === 'Local';
  const item = recorded?.items.find(
    (i) =>
      i.digest === planned.digest &&
      (local
        ? importedFrom(i) === planned.sourceImageReference
        : i.dockerImageReference === planned.dockerImageReference),
  );
  if (!item) {
    throw new RegistryError(
      'NotFound',
      `${change.address} follows ${change.reference.name}, but ${via} does not hold ${planned.digest}: its import did not complete`,
    );
  }
  const pulled = local
    ? { dockerImageReference: planned.dockerImageReference, sourceImageReference: importedFrom(item) }
    : {};
  return { ...item, ...pulled, created: created.toISOString(), generation };
}

/**
 * The imported tag a follower's image comes from, going along the tags it follows in this plan: the repository a
 * Local follower's mirror is copied from.
 */
export function importedOrigin(change: FollowingChange, changes: ReadonlyMap<string, PlannedChange>): PlannedChange {
  const seen = new Set<string>();
  let current: PlannedChange | undefined = change;
  while (current && isFollowingChange(current) && !seen.has(current.address)) {
    seen.add(current.address);
    current = changes.get(current.reference.address);
  }
  if (!current || isFollowingChange(current)) {
    throw new RegistryError(
      'NotFound',
      `${change.address} has referencePolicy Local, but the tag it gets its image from (${change.reference.address}) is not planned with it: plan it too`,
    );
  }
  return current;
}
