import type { ImportReason } from '../../core/errors.js';
import type { TagState } from '../../core/state-model.js';

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
