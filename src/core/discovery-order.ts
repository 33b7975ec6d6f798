import type { Range, SemVer } from 'semver';
import type { DiscoveryPolicy } from './discovery.js';
import { semverPackage } from './lazy-packages.js';

/** What a tag is ranked on, or why it cannot be: not a version or number, or a version outside the range. */
export type Rank = { kind: 'ranked'; value: SemVer | number | string } | { kind: 'unordered' } | { kind: 'outOfRange' };

/** A tag that passed the filters, with what the policy ranks it on. */
export interface Candidate {
  tag: string;
  value: SemVer | number | string;
}

/** The policy as two functions: what a key ranks as, and which of two candidates is newer. */
export interface Ordering {
  rank(key: string): Rank;
  /** Positive when `a` is newer than `b`, zero only for the same tag. */
  newer(a: Candidate, b: Candidate): number;
}

const UNORDERED: Rank = { kind: 'unordered' };
const OUT_OF_RANGE: Rank = { kind: 'outOfRange' };

export function orderingOf(policy: DiscoveryPolicy): Ordering {
  switch (policy.kind) {
    case 'semver':
      return semverOrdering(policy.range);
    case 'numerical':
      return directed(policy.order, (key) => {
        const value = numberOf(key);
        return value === undefined ? UNORDERED : { kind: 'ranked', value };
      });
    case 'alphabetical':
      return directed(policy.order, (key) => ({ kind: 'ranked', value: key }));
  }
}

function semverOrdering(rangeText: string): Ordering {
  const range = parseRange(rangeText);
  if (!range) throw new Error(`not a semver range: ${rangeText}`);
  return {
    rank(key) {
      const version = versionOf(key);
      if (!version) return UNORDERED;
      return range.test(version) ? { kind: 'ranked', value: version } : OUT_OF_RANGE;
    },
    // Equal versions (build metadata is not compared) rank by the whole tag: `v1.2.0` over `1.2.0` over `1.2`.
    newer: (a, b) => semverPackage().compare(a.value as SemVer, b.value as SemVer) || compareCodePoints(a.tag, b.tag),
  };
}

/** `asc`: the greatest is the newest; `desc`: the smallest. Ties go to the whole tag, in the same direction. */
function directed(order: 'asc' | 'desc', rank: (key: string) => Rank): Ordering {
  const sign = order === 'asc' ? 1 : -1;
  return {
    rank,
    newer: (a, b) => sign * (compareValues(a.value, b.value) || compareCodePoints(a.tag, b.tag)),
  };
}

function compareValues(a: SemVer | number | string, b: SemVer | number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return compareCodePoints(String(a), String(b));
}

/**
 * A semver range as the catalog writes it: npm's syntax (`>=15 <18`, `^1.2`, `5.1.x`, `||`), with a comma also
 * meaning "and" as in Flux's ranges. Undefined when it is not one.
 */
export function parseRange(text: string): Range | undefined {
  try {
    return new (semverPackage().Range)(text.replaceAll(',', ' '));
  } catch {
    return undefined;
  }
}

const VERSION_PARTS = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?([-+].*)?$/;

/**
 * A tag as a semantic version, as Flux reads image tags: an optional `v`, and a missing minor or patch taken as 0
 * (`16.2` is 16.2.0, `v3` is 3.0.0); otherwise SemVer 2.0 as the semver package parses it.
 */
export function versionOf(tag: string): SemVer | undefined {
  const parts = VERSION_PARTS.exec(tag);
  if (!parts) return undefined;
  const [, major, minor = '0', patch = '0', rest = ''] = parts;
  return semverPackage().parse(`${major}.${minor}.${patch}${rest}`) ?? undefined;
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A decimal number (optional sign, fraction and exponent), compared as a 64-bit float as Flux does; else undefined. */
export function numberOf(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** Code-point order: tags (and so their captures) are ASCII, in which UTF-16 order is the same. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
