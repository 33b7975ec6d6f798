import type { CatalogTag } from '../core/catalog.js';
import type { ImportReason } from '../core/errors.js';
import type { TagCondition, TagState } from '../core/state-model.js';

/** True when the tag's last import attempt failed (it carries an ImportSuccess=False condition). */
export function hasFailure(prior: TagState | undefined): boolean {
  return prior?.conditions.some((c) => c.type === 'ImportSuccess') ?? false;
}

/** True when the tag already records this very failure, so recording it again would change nothing but its age. */
export function sameFailure(prior: TagState | undefined, reason: ImportReason, message: string): boolean {
  return (
    prior?.conditions.some((c) => c.type === 'ImportSuccess' && c.reason === reason && c.message === message) ?? false
  );
}

/**
 * The tag after a failed check, as `apply` records a failed import: items and spec kept, one ImportSuccess=False
 * condition whose transition time is kept while the tag keeps failing.
 */
export function failedTagState(
  tag: CatalogTag,
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
  return { spec: prior?.spec ?? tag.spec, items: prior?.items ?? [], conditions: [condition] };
}
