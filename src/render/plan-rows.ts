import { isIndexMediaType } from '../core/media-types.js';
import type { PlannedChange, PlannedItem, PlatformRow, RowAction } from '../core/plan-model.js';

/** A row as shown under a tag: the list itself (`index`) or one platform. */
export interface DisplayRow extends PlatformRow {
  index: boolean;
}

export const INDEX_LABEL = 'index';

/** The `index` row when either side is a list (PreserveOriginal), then the change's platform rows. */
export function changeRows(change: PlannedChange): DisplayRow[] {
  const index = indexRow(change.before, change.after);
  const platforms = change.platforms.map((row) => ({ ...row, index: false }));
  return index ? [index, ...platforms] : platforms;
}

function indexRow(before: PlannedItem | null, after: PlannedItem | null): DisplayRow | undefined {
  const listDigest = (item: PlannedItem | null) => (item && isIndexMediaType(item.mediaType) ? item.digest : null);
  const old = listDigest(before);
  const next = listDigest(after);
  if (old === null && next === null) return undefined;
  return { platform: INDEX_LABEL, action: rowAction(old, next), before: old, after: next, index: true };
}

function rowAction(before: string | null, after: string | null): RowAction {
  if (before === null) return 'create';
  if (after === null) return 'delete';
  return before === after ? 'noop' : 'update';
}
