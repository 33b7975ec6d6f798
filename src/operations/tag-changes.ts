import type { TagChanges } from '../config/catalog-edit.js';
import { IMPORT_MODE_MESSAGE, IMPORT_MODES, type ImportMode, type ReferencePolicy } from '../core/catalog.js';
import { UsageError } from '../core/errors.js';

/** A tag's import settings as `tag` and `import-image` take them; those not given are left as they are. */
export interface TagSettings {
  scheduled?: boolean;
  insecure?: boolean;
  importMode?: string;
  referencePolicy?: string;
}

/** The settings given, as changes to the tag's spec. */
export function settingChanges(settings: TagSettings): TagChanges {
  const changes: TagChanges = {};
  if (settings.importMode !== undefined) changes.importMode = importModeOf(settings.importMode);
  if (settings.referencePolicy !== undefined) changes.referencePolicy = referencePolicyOf(settings.referencePolicy);
  if (settings.scheduled !== undefined) changes.scheduled = settings.scheduled;
  if (settings.insecure !== undefined) changes.insecure = settings.insecure;
  return changes;
}

export function importModeOf(value: string): ImportMode {
  const mode = IMPORT_MODES.find((m) => m === value);
  if (!mode) throw new UsageError(IMPORT_MODE_MESSAGE);
  return mode;
}

/** `source` or `local`, as oc spells them (any case); anything else is refused with `message` (oc tag's by default). */
export function referencePolicyOf(
  value: string,
  message = "reference policy must be set to 'source' or 'local'",
): ReferencePolicy {
  const lower = value.toLowerCase();
  if (lower === 'source') return 'Source';
  if (lower === 'local') return 'Local';
  throw new UsageError(message);
}
