import { compare, SemVer, satisfies } from 'semver';
import { describe, expect, it } from 'vitest';
import type { DiscoveryPolicy, StreamDiscovery } from '../../src/core/discovery.js';
import { compareCodePoints, versionOf } from '../../src/core/discovery-order.js';
import { selectDiscovered, selectDiscoveredFrom } from '../../src/core/discovery-select.js';

type Selected = Pick<StreamDiscovery, 'include' | 'capture' | 'exclude' | 'policy' | 'keep'>;

function discovery(policy: DiscoveryPolicy, more: Partial<Selected> = {}): Selected {
  return { exclude: [], keep: 1, policy, ...more };
}

const semver = (range: string, more: Partial<Selected> = {}) => discovery({ kind: 'semver', range }, more);
const numerical = (order: 'asc' | 'desc', more: Partial<Selected> = {}) =>
  discovery({ kind: 'numerical', order }, more);
const alphabetical = (order: 'asc' | 'desc', more: Partial<Selected> = {}) =>
  discovery({ kind: 'alphabetical', order }, more);

/** The tags kept from `tags`, newest first. */
function kept(selected: Selected, tags: string[]): string[] {
  return selectDiscoveredFrom(selected, tags).kept;
}

async function* pagesOf(tags: readonly string[], size: number): AsyncIterable<readonly string[]> {
  for (let i = 0; i < tags.length; i += size) yield tags.slice(i, i + size);
}

describe('a semver policy', () => {
  it('keeps the greatest versions in the range, newest first', () => {
    const tags = ['14.11', '15.6', '16.2', '16.3', '17.0', '18.0', 'latest'];
    expect(kept(semver('>=15 <18', { keep: 3 }), tags)).toEqual(['17.0', '16.3', '16.2']);
  });

  it('reads tags as Flux does: an optional v, a missing minor or patch taken as 0', () => {
    expect(versionOf('16.2')?.version).toBe('16.2.0');
    expect(versionOf('v3')?.version).toBe('3.0.0');
    expect(versionOf('v1.2.3-rc.1+build.5')?.version).toBe('1.2.3-rc.1');
    expect(versionOf('16.2-alpine')?.prerelease).toEqual(['alpine']);
    for (const tag of ['latest', 'vv1', '1.2.3.4', '01.2.3', 'bookworm-16.2', ''])
      expect(versionOf(tag)).toBeUndefined();
  });

  it('counts tags that are not versions and versions outside the range, without failing', () => {
    const result = selectDiscoveredFrom(semver('^1.0.0', { keep: 2 }), ['latest', 'main', '0.9.0', '1.1.0', '2.0.0']);
    expect(result).toEqual({ kept: ['1.1.0'], listed: 5, filtered: 0, unordered: 2, outOfRange: 2 });
  });

  it('leaves prereleases out unless the range names a prerelease of the same version, as semver ranges do', () => {
    const tags = ['1.2.0', '1.3.0-rc.1', '1.3.0-rc.2', '1.2.1-beta'];
    expect(kept(semver('>=1.0.0', { keep: 3 }), tags)).toEqual(['1.2.0']);
    expect(kept(semver('>=1.3.0-rc.1', { keep: 3 }), tags)).toEqual(['1.3.0-rc.2', '1.3.0-rc.1']);
  });

  it('accepts a comma between comparators, as Flux ranges write "and"', () => {
    expect(kept(semver('>=1.0.0, <2.0.0'), ['1.5.0', '2.1.0'])).toEqual(['1.5.0']);
  });

  it('orders on the named capture when there is one', () => {
    const selected = semver('>=1', { include: '^(?<version>[0-9.]+)-alpine$', capture: 'version', keep: 2 });
    expect(kept(selected, ['1.9-alpine', '1.10-alpine', '1.10', '2.0-bookworm'])).toEqual([
      '1.10-alpine',
      '1.9-alpine',
    ]);
  });

  it('breaks ties between equal versions by the whole tag, so that the choice never depends on listing order', () => {
    const tags = ['16.2', '16.2.0', 'v16.2.0'];
    const expected = ['v16.2.0', '16.2.0', '16.2'];
    expect(kept(semver('*', { keep: 3 }), tags)).toEqual(expected);
    expect(kept(semver('*', { keep: 3 }), [...tags].reverse())).toEqual(expected);
  });
});

describe('a numerical policy', () => {
  it('asc keeps the greatest numbers, desc the smallest, as Flux orders', () => {
    const tags = ['7', '10', '9', '100', 'latest'];
    expect(kept(numerical('asc', { keep: 2 }), tags)).toEqual(['100', '10']);
    expect(kept(numerical('desc', { keep: 2 }), tags)).toEqual(['7', '9']);
  });

  it('reads decimal numbers with a fraction or an exponent, as floating-point numbers', () => {
    expect(kept(numerical('asc'), ['1.5', '1.25', '2e-1'])).toEqual(['1.5']);
    expect(kept(numerical('asc', { keep: 3 }), ['1.10', '1.9'])).toEqual(['1.9', '1.10']);
  });

  it('counts what is not a number (hex, infinity, an empty capture) as unordered', () => {
    const result = selectDiscoveredFrom(numerical('asc'), ['0x10', 'Infinity', 'NaN', '1e999', '12']);
    expect(result).toMatchObject({ kept: ['12'], unordered: 4 });
  });

  it('orders build timestamps extracted by a capture', () => {
    const selected = numerical('asc', { include: '^main-[0-9a-f]+-(?<ts>[0-9]+)$', capture: 'ts' });
    expect(kept(selected, ['main-abc123-1700000000', 'main-def456-1700000500', 'feature-1-1800000000'])).toEqual([
      'main-def456-1700000500',
    ]);
  });
});

describe('an alphabetical policy', () => {
  it('orders by code point: asc keeps the last, desc the first', () => {
    const tags = ['RELEASE.2024-01-05', 'RELEASE.2024-11-30', 'RELEASE.2023-12-31'];
    expect(kept(alphabetical('asc'), tags)).toEqual(['RELEASE.2024-11-30']);
    expect(kept(alphabetical('desc'), tags)).toEqual(['RELEASE.2023-12-31']);
    expect(kept(alphabetical('asc'), ['b', 'B', 'a'])).toEqual(['b']);
  });
});

describe('filters', () => {
  it('include is searched for in the tag; anchor it to match the whole tag', () => {
    expect(kept(alphabetical('asc', { include: 'alpine', keep: 5 }), ['3-alpine', 'alpine3', '3'])).toEqual([
      'alpine3',
      '3-alpine',
    ]);
  });

  it('exclude leaves out tags containing any of its texts; an entry written /…/ is a pattern', () => {
    const tags = ['16.2', '16.3-rc1', '16.4beta', '16.1', '160'];
    const selected = alphabetical('asc', { exclude: ['-rc', 'beta', '/^[0-9]+$/'], keep: 5 });
    expect(selectDiscoveredFrom(selected, tags)).toEqual({
      kept: ['16.2', '16.1'],
      listed: 5,
      filtered: 3,
      unordered: 0,
      outOfRange: 0,
    });
  });

  it('an exclude text is matched literally: a dot is a dot', () => {
    expect(kept(alphabetical('asc', { exclude: ['1.0'], keep: 3 }), ['1.0', '1x0'])).toEqual(['1x0']);
  });

  it('what cannot be a tag name (over 128 characters, other characters) is never matched nor kept', () => {
    const listing = [`1.${'0'.repeat(127)}`, '1.0 ', '.1', '-1', 'a/b', 'ü', '1.0'];
    expect(selectDiscoveredFrom(alphabetical('asc'), listing)).toMatchObject({ kept: ['1.0'], filtered: 6 });
  });

  it('leaves out what a registry listed that is not a string', () => {
    const listing = [7, null, 'a'] as unknown as string[];
    expect(selectDiscoveredFrom(alphabetical('asc'), listing)).toMatchObject({ kept: ['a'], listed: 3, filtered: 2 });
  });

  it('a capture that takes no part in the match counts as unordered', () => {
    const selected = alphabetical('asc', { include: '^(?:v(?<n>[0-9]+)|nightly)$', capture: 'n' });
    expect(selectDiscoveredFrom(selected, ['nightly', 'v3'])).toMatchObject({ kept: ['v3'], unordered: 1 });
  });

  it('a pattern that backtracking engines take exponential time on runs in linear time', () => {
    const tags = Array.from({ length: 200 }, (_, i) => `${'a'.repeat(127 - (i % 20))}b`);
    const result = selectDiscoveredFrom(alphabetical('asc', { include: '^(a+)+$' }), [...tags, 'aaa']);
    expect(result).toMatchObject({ kept: ['aaa'], filtered: 200 });
    const captured = selectDiscoveredFrom(alphabetical('asc', { include: '^(?<x>a+)+$', capture: 'x' }), tags);
    expect(captured).toMatchObject({ kept: [], filtered: 200 });
  });
});

describe('a listing read page by page', () => {
  it('holds a tag listed twice once', async () => {
    const result = await selectDiscovered(semver('*', { keep: 3 }), pagesOf(['1.0', '2.0', '2.0', '1.0'], 2));
    expect(result.kept).toEqual(['2.0', '1.0']);
    expect(result.listed).toBe(4);
  });

  it('keeps what sorting every tag would keep, whatever the pages and the order of the listing', async () => {
    const random = seeded(20240617);
    for (let run = 0; run < 400; run++) {
      const tags = listingOrder(random, generatedTags(random, Math.floor(random() * 150)));
      const selected = generatedDiscovery(random);
      const pageSize = 1 + Math.floor(random() * 50);
      const streamed = await selectDiscovered(selected, pagesOf(tags, pageSize));
      expect(streamed, `run ${run}`).toEqual(sortEverything(selected, tags));
    }
  });
});

/** The specification selectDiscovered streams: filter every tag, sort them all, take the first `keep`. */
function sortEverything(selected: Selected, tags: readonly string[]) {
  const counts = { listed: tags.length, filtered: 0, unordered: 0, outOfRange: 0 };
  const include = selected.include === undefined ? undefined : new RegExp(selected.include);
  const ranked: { tag: string; value: SemVer | number | string }[] = [];
  for (const tag of tags) {
    const match = include ? include.exec(tag) : undefined;
    const excluded = selected.exclude.some((text) => tag.includes(text));
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag) || (include && !match) || excluded) {
      counts.filtered++;
      continue;
    }
    const key = selected.capture ? match?.groups?.[selected.capture] : tag;
    const value = key === undefined ? undefined : rankedValue(selected.policy, key);
    if (value === undefined) counts.unordered++;
    else if (
      value instanceof SemVer &&
      !satisfies(value, selected.policy.kind === 'semver' ? selected.policy.range : '*')
    )
      counts.outOfRange++;
    else ranked.push({ tag, value });
  }
  const sign = selected.policy.kind === 'semver' || selected.policy.order === 'asc' ? 1 : -1;
  ranked.sort((a, b) => sign * (compareValues(b.value, a.value) || compareCodePoints(b.tag, a.tag)));
  return { kept: ranked.slice(0, selected.keep).map(({ tag }) => tag), ...counts };
}

function rankedValue(policy: DiscoveryPolicy, key: string): SemVer | number | string | undefined {
  if (policy.kind === 'alphabetical') return key;
  if (policy.kind === 'semver') return versionOf(key);
  const number = Number(key);
  return key !== '' && !/^0[a-z]|^[+-]?infinity$/i.test(key) && Number.isFinite(number) ? number : undefined;
}

function compareValues(a: SemVer | number | string, b: SemVer | number | string): number {
  if (a instanceof SemVer && b instanceof SemVer) return compare(a, b);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return compareCodePoints(String(a), String(b));
}

/** A small deterministic pseudo-random generator (mulberry32), so that a failing run can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** Distinct tags as registries list them: versions of every shape, numbers, words, builds, in no order. */
function generatedTags(random: () => number, count: number): string[] {
  const tags = new Set<string>();
  const number = () => String(Math.floor(random() * 12));
  const shapes = [
    () => `${number()}.${number()}.${number()}`,
    () => `${number()}.${number()}`,
    () => `v${number()}.${number()}.${number()}`,
    () => `${number()}.${number()}.${number()}-rc.${number()}`,
    () => `${number()}.${number()}-alpine`,
    () => `${number()}.${number()}.${number()}+build${number()}`,
    () => `${number()}${number()}`,
    () => `RELEASE.20${number()}${number()}-0${number()}`,
    () => pick(random, ['latest', 'stable', 'edge', 'nightly', 'beta', '1.0beta', '1e3', '0x1f', 'Infinity']),
    () => `0${number()}.${number()}.${number()}`,
    () => `${number()}.0${number()}`,
    () => `v${number()}`,
    () => `${number()}.${number()}.${number()}.${number()}`,
    () => `${'9'.repeat(15 + Math.floor(random() * 3))}.${number()}`,
    () => `${number()}.${number()}.`,
  ];
  while (tags.size < count) tags.add(pick(random, shapes)());
  return [...tags];
}

/** As listed: in no order, or in ascending code-point order as registries list (most tags then enter the window). */
function listingOrder(random: () => number, tags: string[]): string[] {
  return random() < 0.5 ? tags : [...tags].sort(compareCodePoints);
}

function generatedDiscovery(random: () => number): Selected {
  const policy: DiscoveryPolicy = pick<DiscoveryPolicy>(random, [
    {
      kind: 'semver',
      range: pick(random, [
        ...['*', '>=3 <9', '^5.0.0', '~4.2', '>=2.0.0-rc.0 <3', '1.x || 7.x', '<5', '=3.4.5', '>3.0.0-rc.1 <=7'],
        ...['1.2.3 - 6', '>=0', '>99999999999999'],
      ]),
    },
    { kind: 'numerical', order: pick(random, ['asc', 'desc'] as const) },
    { kind: 'alphabetical', order: pick(random, ['asc', 'desc'] as const) },
  ]);
  const filters = pick<Partial<Selected>>(random, [
    {},
    { include: '^v?[0-9]+' },
    { include: '^(?<version>[0-9.]+)-alpine$', capture: 'version' },
    { include: '^RELEASE\\.(?<date>[0-9-]+)$', capture: 'date' },
    { include: '(?<major>[0-9]+)\\.', capture: 'major' },
  ]);
  const exclude = pick(random, [[], ['-rc'], ['beta', 'alpine'], ['.1']]);
  return { policy, exclude, keep: 1 + Math.floor(random() * 10), ...filters };
}
