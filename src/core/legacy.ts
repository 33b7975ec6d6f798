import { type Descriptor, isAttestation } from './manifest.js';
import { type Platform, parsePlatformPreference, platformFromWire, platformMatches } from './platform.js';
import type { LegacyRule } from './state-model.js';

export interface LegacySelection {
  descriptor: Descriptor;
  rule: LegacyRule;
}

export interface LegacyPreferences {
  /** The tag's own preference (preferPlatform or prefer-arch/prefer-os annotations). */
  tag: string | null;
  /** The catalog's defaults.preferPlatform. */
  catalogDefault: string;
}

const AMD64: Platform = { os: 'linux', architecture: 'amd64' };

/**
 * Picks one child of a manifest list for Legacy import, in DESIGN §4 order: the tag's preference, the catalog default,
 * linux/amd64, then the first child that is not an attestation. Undefined when the list holds nothing importable.
 */
export function selectLegacyChild(children: Descriptor[], preferences: LegacyPreferences): LegacySelection | undefined {
  const candidates = children.filter((d) => !isAttestation(d));
  const rules: [LegacyRule, Platform | undefined][] = [
    ['tag preference', preferences.tag ? parsePlatformPreference(preferences.tag) : undefined],
    ['default platform', parsePlatformPreference(preferences.catalogDefault)],
    ['linux/amd64', AMD64],
  ];
  for (const [rule, wanted] of rules) {
    if (!wanted) continue;
    const match = candidates.find((d) => platformMatches(wanted, platformFromWire(d.platform)));
    if (match) return { descriptor: match, rule };
  }
  const first = candidates[0];
  return first ? { descriptor: first, rule: 'first child' } : undefined;
}
