import type { Range, SemVer } from 'semver';
import type { DiscoveryPolicy } from './discovery.js';
import { semverPackage } from './lazy-packages.js';
import { comparePlain, type PlainVersion, plainRangeTest, readPlainVersion } from './plain-version.js';

/** What a tag is ranked on. */
export type RankValue = SemVer | PlainVersion | number | string;

/** Why a tag cannot be ranked: not a version or number, or a version outside the range. */
export const UNORDERED: unique symbol = Symbol('unordered');
export const OUT_OF_RANGE: unique symbol = Symbol('out of range');

/** What a key ranks as: a value, or why it cannot be ranked. A constant or the value itself: nothing is built for it. */
export type Rank = RankValue | typeof UNORDERED | typeof OUT_OF_RANGE;

/** A tag that passed the filters, with what the policy ranks it on. */
export interface Candidate {
  tag: string;
  value: RankValue;
}

/** The policy as functions: what a key ranks as, which of two candidates is newer, and a rank made safe to hold. */
export interface Ordering {
  /** The value may be one the next call reuses: `held` gives one to keep. */
  rank(key: string): Rank;
  /** `value` as one to keep, written into `dropped` (a value held before, no longer) where it can be. */
  held(value: RankValue, dropped?: RankValue): RankValue;
  /** Positive when `a` is newer than `b`, zero only for the same tag. */
  newer(a: Candidate, b: Candidate): number;
}

export function orderingOf(policy: DiscoveryPolicy): Ordering {
  switch (policy.kind) {
    case 'semver':
      return semverOrdering(policy.range);
    case 'numerical':
      return directed(policy.order, (key) => numberOf(key) ?? UNORDERED);
    case 'alphabetical':
      return directed(policy.order, (key) => key);
  }
}

/**
 * A tag of the plain shape (`1.2.3`, `v16`) is read into one reused PlainVersion and tested against the range without
 * a SemVer: a listing of thousands of tags builds objects only for the few it keeps. Any other tag is read in full.
 */
function semverOrdering(rangeText: string): Ordering {
  const range = parseRange(rangeText);
  if (!range) throw new Error(`not a semver range: ${rangeText}`);
  const plainTest = plainRangeTest(range);
  const plain: PlainVersion = { major: 0, minor: 0, patch: 0 };
  return {
    rank(key) {
      if (plainTest && readPlainVersion(key, plain)) return plainTest(plain) ? plain : OUT_OF_RANGE;
      const version = versionOf(key);
      if (!version) return UNORDERED;
      return range.test(version) ? version : OUT_OF_RANGE;
    },
    held: (value, dropped) => (value === plain ? copyPlain(plain, dropped) : value),
    // Equal versions (build metadata is not compared) rank by the whole tag: `v1.2.0` over `1.2.0` over `1.2`.
    newer: (a, b) =>
      compareVersions(a.value as SemVer | PlainVersion, b.value as SemVer | PlainVersion) ||
      compareCodePoints(a.tag, b.tag),
  };
}

function copyPlain(plain: PlainVersion, dropped: RankValue | undefined): PlainVersion {
  if (typeof dropped !== 'object' || dropped instanceof semverPackage().SemVer) return { ...plain };
  dropped.major = plain.major;
  dropped.minor = plain.minor;
  dropped.patch = plain.patch;
  return dropped;
}

/** semver's order, of versions read either way. */
function compareVersions(a: SemVer | PlainVersion, b: SemVer | PlainVersion): number {
  const semver = semverPackage();
  if (!(a instanceof semver.SemVer)) return comparePlain(a, b);
  if (!(b instanceof semver.SemVer)) return -comparePlain(b, a);
  return semver.compare(a, b);
}

/** `asc`: the greatest is the newest; `desc`: the smallest. Ties go to the whole tag, in the same direction. */
function directed(order: 'asc' | 'desc', rank: (key: string) => Rank): Ordering {
  const sign = order === 'asc' ? 1 : -1;
  return {
    rank,
    held: (value) => value,
    newer: (a, b) => sign * (compareValues(a.value, b.value) || compareCodePoints(a.tag, b.tag)),
  };
}

function compareValues(a: RankValue, b: RankValue): number {
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
