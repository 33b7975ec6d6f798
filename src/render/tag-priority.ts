/**
 * The order oc lists a stream's tags in (library-go's PrioritizeTags): `latest`; then minor versions (`5.1`, `v5.1`,
 * `5.1-rc1`), newest first; then full semantic versions (`5.1.3`, `v5.1.3-beta.1`), newest first; then every other
 * tag by name. Between equal versions the one without a `v` comes first.
 */
export function prioritizedTags(tags: readonly string[]): string[] {
  return tags
    .map(prioritized)
    .sort(compareTags)
    .map((t) => t.tag);
}

enum Priority {
  Latest = 0,
  Minor = 1,
  Full = 2,
  Other = 3,
}

interface PrioritizedTag {
  tag: string;
  priority: Priority;
  version?: SemanticVersion;
  prefix: string;
}

interface SemanticVersion {
  core: [bigint, bigint, bigint];
  pre: (bigint | string)[];
}

const MINOR = /^\d+\.\d+$/;
const MINOR_WITH_SUFFIX = /^(\d+\.\d+)-\w+$/;

function prioritized(tag: string): PrioritizedTag {
  if (tag === 'latest') return { tag, priority: Priority.Latest, prefix: '' };
  const prefix = tag.startsWith('v') ? 'v' : '';
  const short = tag.slice(prefix.length);
  const full = parseSemver(short);
  if (full) return { tag, priority: Priority.Full, version: full, prefix };
  const suffixed = MINOR_WITH_SUFFIX.exec(short);
  const minor = MINOR.test(short)
    ? parseSemver(`${short}.0`)
    : suffixed && parseSemver(short.replace(suffixed[1]!, `${suffixed[1]}.0`));
  if (minor) return { tag, priority: Priority.Minor, version: minor, prefix };
  return { tag, priority: Priority.Other, prefix };
}

function compareTags(a: PrioritizedTag, b: PrioritizedTag): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  if (a.version && b.version) {
    const newer = compareVersions(b.version, a.version);
    if (newer !== 0) return newer;
    if (a.prefix !== b.prefix) return a.prefix < b.prefix ? -1 : 1;
  }
  return a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0;
}

const MAX_UINT64 = 2n ** 64n - 1n;
const NUMERIC = /^\d+$/;
const IDENTIFIER = /^[0-9A-Za-z-]+$/;

/** blang/semver's strict `MAJOR.MINOR.PATCH[-pre][+build]`: no leading zeros, numbers within 64 bits. */
export function parseSemver(text: string): SemanticVersion | undefined {
  const parts = text.split('.');
  if (parts.length < 3) return undefined;
  let rest = parts.slice(2).join('.');
  const plus = rest.indexOf('+');
  if (plus >= 0) {
    if (
      !rest
        .slice(plus + 1)
        .split('.')
        .every((id) => IDENTIFIER.test(id))
    )
      return undefined;
    rest = rest.slice(0, plus);
  }
  let pre: (bigint | string)[] = [];
  const dash = rest.indexOf('-');
  if (dash >= 0) {
    const ids = rest
      .slice(dash + 1)
      .split('.')
      .map(prereleaseIdentifier);
    if (ids.some((id) => id === undefined)) return undefined;
    pre = ids as (bigint | string)[];
    rest = rest.slice(0, dash);
  }
  const [major, minor, patch] = [number(parts[0]!), number(parts[1]!), number(rest)];
  if (major === undefined || minor === undefined || patch === undefined) return undefined;
  return { core: [major, minor, patch], pre };
}

function number(text: string): bigint | undefined {
  if (!NUMERIC.test(text) || (text.length > 1 && text.startsWith('0'))) return undefined;
  const value = BigInt(text);
  return value <= MAX_UINT64 ? value : undefined;
}

function prereleaseIdentifier(text: string): bigint | string | undefined {
  if (NUMERIC.test(text)) return number(text);
  return IDENTIFIER.test(text) ? text : undefined;
}

/** Semantic version precedence: the core numbers, then a release above its pre-releases, then pre-release fields. */
function compareVersions(a: SemanticVersion, b: SemanticVersion): number {
  for (let i = 0; i < 3; i++) {
    if (a.core[i] !== b.core[i]) return a.core[i]! < b.core[i]! ? -1 : 1;
  }
  if (a.pre.length === 0 || b.pre.length === 0) {
    if (a.pre.length === b.pre.length) return 0;
    return a.pre.length === 0 ? 1 : -1;
  }
  for (let i = 0; i < Math.min(a.pre.length, b.pre.length); i++) {
    const order = compareIdentifiers(a.pre[i]!, b.pre[i]!);
    if (order !== 0) return order;
  }
  return Math.sign(a.pre.length - b.pre.length);
}

function compareIdentifiers(a: bigint | string, b: bigint | string): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a === b ? 0 : a < b ? -1 : 1;
  if (typeof a === 'bigint') return -1;
  if (typeof b === 'bigint') return 1;
  return a === b ? 0 : a < b ? -1 : 1;
}
