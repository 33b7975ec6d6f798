import type { TagChanges } from '../config/catalog-edit.js';
import type { CatalogTag, ImportMode, ReferencePolicy } from '../core/catalog.js';
import { importModeOf, referencePolicyOf, type TagSettings } from './tag-changes.js';

/** `oc import-image`'s message for a bad --reference-policy (`oc tag` has another). */
export const IMPORT_REFERENCE_POLICY_MESSAGE = 'valid reference policy values are source or local';

/** The flags of `import-image`, checked: what oc validates before it looks at the image stream. */
export interface ImportFlags {
  /** `--import-mode`; left out or empty, Legacy, as oc sends it. */
  importMode: ImportMode;
  /** True when the mode was not named (left out or empty). */
  importModeImplied: boolean;
  referencePolicy?: ReferencePolicy;
  scheduled?: boolean;
  insecure?: boolean;
}

/** Something import-image does to a tag that the user did not ask for in so many words. */
export type ImportNote =
  /** The implied Legacy mode replaces the tag's mode. */
  | { kind: 'import-mode'; address: string; from: ImportMode; to: ImportMode }
  /** `--scheduled=false` or `--insecure=false` on a tag that has it on: oc's import-image only turns them on. */
  | { kind: 'kept-on'; address: string; setting: 'scheduled' | 'insecure' }
  /** `--all` imports a repository tag over a tag that followed another, as OpenShift's repository import does. */
  | { kind: 'follower-replaced'; address: string; followed: string; from: string };

/** The flags checked as oc checks them: a bad mode or policy is refused with oc's message; an empty policy is Source. */
export function importFlagsOf(settings: TagSettings): ImportFlags {
  const named = settings.importMode !== undefined && settings.importMode !== '';
  const flags: ImportFlags = {
    importMode: named ? importModeOf(settings.importMode!) : 'Legacy',
    importModeImplied: !named,
  };
  if (settings.referencePolicy !== undefined) {
    flags.referencePolicy =
      settings.referencePolicy === ''
        ? 'Source'
        : referencePolicyOf(settings.referencePolicy, IMPORT_REFERENCE_POLICY_MESSAGE);
  }
  if (settings.scheduled !== undefined) flags.scheduled = settings.scheduled;
  if (settings.insecure !== undefined) flags.insecure = settings.insecure;
  return flags;
}

/**
 * The spec changes import-image makes, as oc builds its import request from the flags and the tag it finds: the
 * import mode is always the flag's (Legacy when left out); `--scheduled` and `--insecure` are ORed with the tag's
 * current values; the reference policy changes only when given. A new tag (`current` undefined) takes the flags given.
 */
export function importChanges(
  flags: ImportFlags,
  current: CatalogTag | undefined,
): { changes: TagChanges; notes: ImportNote[] } {
  const changes: TagChanges = { importMode: flags.importMode };
  const notes: ImportNote[] = [];
  if (flags.referencePolicy) changes.referencePolicy = flags.referencePolicy;
  if (current && flags.importModeImplied && current.spec.importMode !== flags.importMode) {
    notes.push({ kind: 'import-mode', address: current.address, from: current.spec.importMode, to: flags.importMode });
  }
  for (const setting of ['scheduled', 'insecure'] as const) {
    const given = flags[setting];
    if (given === undefined) continue;
    const now = current?.spec[setting] ?? false;
    changes[setting] = given || now;
    if (current && !given && now) notes.push({ kind: 'kept-on', address: current.address, setting });
  }
  return { changes, notes };
}
