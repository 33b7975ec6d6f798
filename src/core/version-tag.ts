import type { SemVer } from 'semver';
import { semverPackage } from './lazy-packages.js';
import type { UpdatePolicy } from './update-policy.js';

/**
 * A tag read as a version the way Renovate's docker versioning reads it: an optional `v`, one to three numbers, then
 * after a `-` an optional prerelease (`rc1`, `beta.2`) and a suffix (`alpine`, `bookworm`) that must stay the same.
 */
export interface VersionTag {
  tag: string;
  prefix: string;
  /** The numbers as written: their count is part of the tag's shape. */
  numbers: number[];
  prerelease: string;
  suffix: string;
  version: SemVer;
}

const VERSION = /^(v?)(\d{1,15}(?:\.\d{1,15}){0,2})(?:-([A-Za-z0-9._-]+))?$/;
/** Unambiguous (no nested quantifiers): a tag of 128 characters is read in linear time. */
const PRERELEASE = /^((?:alpha|beta|rc|pre|preview|dev)\d*(?:\.\d+)*)(?:-(.+))?$/i;

/** The tag read as a version, or undefined when it is not one (`latest`, `bookworm`, `1.2.3.4`). */
export function parseVersionTag(tag: string): VersionTag | undefined {
  const match = VERSION.exec(tag);
  if (!match) return undefined;
  const [, prefix = '', written = '', rest] = match;
  const numbers = written.split('.').map(Number);
  const pre = rest === undefined ? undefined : PRERELEASE.exec(rest);
  const prerelease = pre?.[1] ?? '';
  const suffix = pre ? (pre[2] ?? '') : (rest ?? '');
  const padded = [...numbers, 0, 0].slice(0, 3).join('.');
  const version = semverPackage().parse(prerelease ? `${padded}-${semverIdentifiers(prerelease)}` : padded);
  if (!version) return undefined;
  return { tag, prefix, numbers, prerelease, suffix, version };
}

/** `rc1` and `RC.01` as semver identifiers `rc.1`, so that `rc10` comes after `rc9`. */
function semverIdentifiers(prerelease: string): string {
  return prerelease
    .toLowerCase()
    .split(/[.]|(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])/)
    .filter((part) => part !== '')
    .map((part) => (/^\d+$/.test(part) ? String(Number(part)) : part))
    .join('.');
}

/**
 * True when `candidate` has `current`'s shape — the same prefix, as many numbers, the same suffix — and is a
 * prerelease only when `current` is one.
 */
export function sameShape(current: VersionTag, candidate: VersionTag): boolean {
  return (
    candidate.prefix === current.prefix &&
    candidate.numbers.length === current.numbers.length &&
    candidate.suffix === current.suffix &&
    (candidate.prerelease === '' || current.prerelease !== '')
  );
}

/** True when `policy` lets `current` move to `candidate`: the same major and minor (patch), the same major (minor). */
export function withinPolicy(current: VersionTag, candidate: VersionTag, policy: UpdatePolicy): boolean {
  const { major, minor } = current.version;
  if (policy === 'patch') return candidate.version.major === major && candidate.version.minor === minor;
  if (policy === 'minor') return candidate.version.major === major;
  return true;
}

/**
 * The newest of `candidates` that `current` may move to under `policy`: newer, of the same shape, within the policy.
 * Undefined when none is. Two tags of the same version (`1.02`, `1.2`) are told apart by their text, smallest first.
 */
export function newestVersionTag(
  current: VersionTag,
  candidates: Iterable<VersionTag>,
  policy: UpdatePolicy,
): VersionTag | undefined {
  let newest: VersionTag | undefined;
  for (const candidate of candidates) {
    if (!sameShape(current, candidate) || !withinPolicy(current, candidate, policy)) continue;
    if (semverPackage().compare(candidate.version, current.version) <= 0) continue;
    if (!newest || isNewer(candidate, newest)) newest = candidate;
  }
  return newest;
}

function isNewer(a: VersionTag, b: VersionTag): boolean {
  const order = semverPackage().compare(a.version, b.version);
  return order > 0 || (order === 0 && a.tag < b.tag);
}

/** How far a version tag moved, in Renovate's words: `major`, `minor`, `patch` or (same release) `prerelease`. */
export function versionChange(from: string, to: string): 'major' | 'minor' | 'patch' | 'prerelease' | undefined {
  const before = parseVersionTag(from)?.version;
  const after = parseVersionTag(to)?.version;
  if (!before || !after) return undefined;
  if (before.major !== after.major) return 'major';
  if (before.minor !== after.minor) return 'minor';
  return before.patch !== after.patch ? 'patch' : 'prerelease';
}
