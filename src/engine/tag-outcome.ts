import type { TagSpec } from '../core/catalog.js';
import type { ImportReason } from '../core/errors.js';
import type { TagCondition, TagItem, TagState } from '../core/state-model.js';

/**
 * A tag after a successful import, its condition cleared: the new item first, unless it is the current image again.
 * Then the current item stays, with the pull specs of this import: a tag whose reference policy changed is pulled
 * from where it now is (the local store, or its source).
 */
export function importedTagState(spec: TagSpec, prior: TagState | undefined, item: TagItem): TagState {
  const [current, ...older] = prior?.items ?? [];
  if (current?.digest !== item.digest) return { spec, items: [item, ...(prior?.items ?? [])], conditions: [] };
  return { spec, items: [withPullSpecsOf(current, item), ...older], conditions: [] };
}

function withPullSpecsOf(current: TagItem, item: TagItem): TagItem {
  const { sourceImageReference: _, ...rest } = current;
  const source = item.sourceImageReference;
  return { ...rest, dockerImageReference: item.dockerImageReference, ...(source && { sourceImageReference: source }) };
}

/**
 * A tag after a failed import: its items kept, and the spec they were imported with (`spec` only for a tag never
 * imported), so the next plan tries again; one ImportSuccess=False condition whose transition time is kept while the
 * tag keeps failing.
 */
export function failedTagState(
  spec: TagSpec,
  prior: TagState | undefined,
  failure: { reason: ImportReason; message: string },
  generation: number,
  at: Date,
): TagState {
  const previous = prior?.conditions.find((c) => c.type === 'ImportSuccess');
  const condition: TagCondition = {
    type: 'ImportSuccess',
    status: 'False',
    reason: failure.reason,
    message: failure.message,
    generation,
    lastTransitionTime: previous?.lastTransitionTime ?? at.toISOString(),
  };
  return { spec: prior?.spec ?? spec, items: prior?.items ?? [], conditions: [condition] };
}
