import { type CatalogDefaults, IMPORT_MODES, type ReferencePolicy } from '../core/catalog.js';
import { formatPlatform } from '../core/platform.js';
import { positiveDurationAt } from './duration-at.js';
import { platformAt } from './platform-preference.js';
import type { ProblemList } from './problems.js';
import { booleanAt, enumAt, type RawMap } from './raw-values.js';

export const REFERENCE_POLICIES: readonly ReferencePolicy[] = ['Source', 'Local'];

/** DESIGN §3: what a catalog without `defaults` means. */
export const BUILT_IN_DEFAULTS: Readonly<CatalogDefaults> = {
  importMode: 'Legacy',
  referencePolicy: 'Source',
  scheduled: false,
  preferPlatform: 'linux/amd64',
  scheduleIntervalMs: 15 * 60 * 1000,
};

export function resolveDefaults(raw: RawMap | undefined, problems: ProblemList): CatalogDefaults {
  const platform = platformAt(raw, 'preferPlatform', '/defaults', problems);
  return {
    importMode: enumAt(raw, 'importMode', IMPORT_MODES) ?? BUILT_IN_DEFAULTS.importMode,
    referencePolicy: enumAt(raw, 'referencePolicy', REFERENCE_POLICIES) ?? BUILT_IN_DEFAULTS.referencePolicy,
    scheduled: booleanAt(raw, 'scheduled') ?? BUILT_IN_DEFAULTS.scheduled,
    preferPlatform: platform ? formatPlatform(platform) : BUILT_IN_DEFAULTS.preferPlatform,
    scheduleIntervalMs:
      positiveDurationAt(raw, 'scheduleInterval', '/defaults', problems) ?? BUILT_IN_DEFAULTS.scheduleIntervalMs,
  };
}
