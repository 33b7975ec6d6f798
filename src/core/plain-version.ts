import type { Comparator, Range, SemVer } from 'semver';
import { semverPackage } from './lazy-packages.js';

/**
 * A version without prerelease or build: what most tags of a listing are (`1.2.3`, `v16`, `16.2`). Read into a
 * reused object, it is ranked and compared without building a SemVer for every tag listed.
 */
export interface PlainVersion {
  major: number;
  minor: number;
  patch: number;
}

/** The longest number read here: any 15 digits are a safe integer, as semver requires of each part. */
const MAX_DIGITS = 15;
const ZERO = 48;
const NINE = 57;
const DOT = 46;
const V = 118;

/**
 * Reads `[v]MAJOR[.MINOR[.PATCH]]`, each part `0` or digits not starting with 0, into `into`; false for any other
 * shape (a prerelease, build metadata, a leading zero, more digits), which the caller reads the full way. A missing
 * minor or patch is 0.
 */
export function readPlainVersion(tag: string, into: PlainVersion): boolean {
  let at = tag.charCodeAt(0) === V ? 1 : 0;
  into.minor = 0;
  into.patch = 0;
  for (let part = 0; part < 3; part++) {
    const start = at;
    let value = 0;
    for (let code = tag.charCodeAt(at); code >= ZERO && code <= NINE; code = tag.charCodeAt(++at)) {
      value = value * 10 + (code - ZERO);
    }
    const digits = at - start;
    if (digits === 0 || digits > MAX_DIGITS || (digits > 1 && tag.charCodeAt(start) === ZERO)) return false;
    if (part === 0) into.major = value;
    else if (part === 1) into.minor = value;
    else into.patch = value;
    if (at === tag.length) return true;
    if (tag.charCodeAt(at) !== DOT) return false;
    at++;
  }
  return false;
}

/** semver's order of a plain version against any version: its parts, then a prerelease is older than its release. */
export function comparePlain(plain: PlainVersion, other: PlainVersion | SemVer): number {
  const order =
    compareNumbers(plain.major, other.major) ||
    compareNumbers(plain.minor, other.minor) ||
    compareNumbers(plain.patch, other.patch);
  if (order !== 0) return order;
  return other instanceof semverPackage().SemVer && other.prerelease.length > 0 ? 1 : 0;
}

function compareNumbers(a: number, b: number): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

const OPERATORS = new Set(['', '<', '<=', '>', '>=']);

/**
 * `range.test` for plain versions, or undefined when the range has a comparator this does not know (semver's ranges
 * have none: then every tag is read the full way). A plain version has no prerelease, so semver's prerelease rule
 * never applies to it.
 */
export function plainRangeTest(range: Range): ((version: PlainVersion) => boolean) | undefined {
  const known = range.set.every((set) => set.every((c) => isAny(c) || OPERATORS.has(c.operator)));
  if (!known) return undefined;
  return (version) => {
    for (const set of range.set) if (holdsAll(set, version)) return true;
    return false;
  };
}

function holdsAll(set: readonly Comparator[], version: PlainVersion): boolean {
  for (const comparator of set) if (!holds(comparator, version)) return false;
  return true;
}

/** `*`, which every version satisfies: semver gives it a marker rather than a version. */
function isAny(comparator: Comparator): boolean {
  return !(comparator.semver instanceof semverPackage().SemVer);
}

function holds(comparator: Comparator, version: PlainVersion): boolean {
  if (isAny(comparator)) return true;
  const order = comparePlain(version, comparator.semver);
  switch (comparator.operator) {
    case '':
      return order === 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    default:
      return order >= 0;
  }
}
