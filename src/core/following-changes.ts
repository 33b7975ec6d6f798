import type { PlannedChange } from './plan-model.js';

/** A change of a tag that follows another tag or an image of a stream (`change.reference` is set). */
export type FollowingChange = PlannedChange & { reference: NonNullable<PlannedChange['reference']> };

export function isFollowingChange(change: PlannedChange): change is FollowingChange {
  return change.reference !== undefined;
}

/**
 * The changes of following tags, each after the tag it gets its image from when that one changes too (the catalog
 * has no cycles, so each round takes at least one): the order apply records them in.
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
