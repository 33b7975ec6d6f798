import { describe, expect, it } from 'vitest';
import type { CatalogTag, TagSpec } from '../../src/core/catalog.js';
import { OCI_INDEX, OCI_MANIFEST } from '../../src/core/media-types.js';
import type { PlannedItem } from '../../src/core/plan-model.js';
import { computePlan, type Observation, platformRows } from '../../src/core/planner.js';
import { parseImageSource } from '../../src/core/reference.js';
import type { ManifestEntry, State, TagItem, TagState } from '../../src/core/state-model.js';

const digest = (c: string) => `sha256:${c.repeat(64).slice(0, 64)}`;

function spec(overrides: Partial<TagSpec> = {}): TagSpec {
  return {
    from: 'quay.io/org/app:1',
    importMode: 'PreserveOriginal',
    referencePolicy: 'Source',
    scheduled: false,
    insecure: false,
    preferPlatform: null,
    ...overrides,
  };
}

function catalogTag(address: string, tagSpec: TagSpec = spec()): CatalogTag {
  const [stream, tag] = address.split(':') as [string, string];
  return {
    address,
    stream,
    tag,
    spec: tagSpec,
    source: parseImageSource(tagSpec.from),
    defaultPlatform: 'linux/amd64',
    scheduleIntervalMs: 900_000,
    annotations: {},
    location: { file: 'imagestreams.yaml', line: 1, column: 1 },
  };
}

function entries(platforms: Record<string, string>): ManifestEntry[] {
  return Object.entries(platforms).map(([platform, c]) => ({
    platform,
    digest: digest(c),
    mediaType: OCI_MANIFEST,
    size: 500,
  }));
}

function planned(index: string, platforms: Record<string, string>): PlannedItem {
  return {
    digest: digest(index),
    sourceDigest: digest(index),
    mediaType: OCI_INDEX,
    dockerImageReference: `quay.io/org/app@${digest(index)}`,
    manifests: entries(platforms),
  };
}

function item(index: string, platforms: Record<string, string>): TagItem {
  return { ...planned(index, platforms), created: '2026-11-01T00:00:00.000Z', generation: 1 };
}

function state(tags: Record<string, TagState>): State {
  const streams: State['streams'] = {};
  for (const [address, value] of Object.entries(tags)) {
    const [stream, tag] = address.split(':') as [string, string];
    streams[stream] ??= { tags: {} };
    streams[stream].tags[tag] = value;
  }
  return { version: 1, lineage: 'lineage-1', serial: 3, streams };
}

const V1 = { 'linux/amd64': '1', 'linux/arm64': '2', 'linux/ppc64le': '3' };
const V2 = { 'linux/amd64': '4', 'linux/arm64': '2', 'linux/s390x': '5' };

function plan(
  tags: CatalogTag[],
  prior: State | null,
  observations: Record<string, Observation>,
  extra: { targets?: string[]; reimport?: string[] } = {},
) {
  return computePlan({
    catalog: { displayPath: 'imagestreams.yaml', sha256: digest('c'), tags },
    state: prior,
    observations: new Map(Object.entries(observations)),
    targets: extra.targets ?? [],
    reimport: new Set(extra.reimport ?? []),
    now: new Date('2026-11-28T10:00:00Z'),
  });
}

describe('computePlan', () => {
  it('creates a tag the state does not hold, with a create row per platform', () => {
    const result = plan([catalogTag('app:1')], null, { 'app:1': { kind: 'resolved', item: planned('a', V1) } });
    expect(result.priorState).toBeNull();
    expect(result.changes).toHaveLength(1);
    expect(result.changes[0]).toMatchObject({ address: 'app:1', action: 'create', reason: 'new_tag', before: null });
    expect(result.changes[0]!.platforms.map((r) => [r.platform, r.action])).toEqual([
      ['linux/amd64', 'create'],
      ['linux/arm64', 'create'],
      ['linux/ppc64le', 'create'],
    ]);
    expect(result.summary).toEqual({ create: 1, update: 0, delete: 0, noop: 0, drift: 0, error: 0 });
  });

  it('records the prior state lineage and serial and the catalog digest', () => {
    const prior = state({ 'app:1': { spec: spec(), items: [item('a', V1)], conditions: [] } });
    const result = plan([catalogTag('app:1')], prior, { 'app:1': { kind: 'unchanged' } });
    expect(result.priorState).toEqual({ lineage: 'lineage-1', serial: 3 });
    expect(result.catalog).toEqual({ path: 'imagestreams.yaml', sha256: digest('c') });
    expect(result.changes[0]).toMatchObject({ action: 'noop', reason: null, priorSpec: null });
    expect(result.summary.noop).toBe(1);
  });

  it('updates a scheduled tag whose upstream moved, row by row', () => {
    const scheduled = spec({ scheduled: true });
    const prior = state({ 'app:1': { spec: scheduled, items: [item('a', V1)], conditions: [] } });
    const result = plan([catalogTag('app:1', scheduled)], prior, {
      'app:1': { kind: 'resolved', item: planned('b', V2) },
    });
    expect(result.changes[0]).toMatchObject({ action: 'update', reason: 'upstream_moved' });
    expect(result.changes[0]!.platforms).toEqual([
      { platform: 'linux/amd64', action: 'update', before: digest('1'), after: digest('4') },
      { platform: 'linux/arm64', action: 'noop', before: digest('2'), after: digest('2') },
      { platform: 'linux/s390x', action: 'create', before: null, after: digest('5') },
      { platform: 'linux/ppc64le', action: 'delete', before: digest('3'), after: null },
    ]);
  });

  it('reports drift, not an update, for a pinned tag whose upstream moved', () => {
    const prior = state({ 'app:1': { spec: spec(), items: [item('a', V1)], conditions: [] } });
    const result = plan([catalogTag('app:1')], prior, { 'app:1': { kind: 'resolved', item: planned('b', V2) } });
    expect(result.changes[0]).toMatchObject({ action: 'noop' });
    expect(result.drift).toEqual([
      expect.objectContaining({ address: 'app:1', current: digest('a'), upstream: digest('b') }),
    ]);
    expect(result.summary).toMatchObject({ update: 0, noop: 1, drift: 1 });
  });

  it('re-imports a pinned tag when asked with --reimport, by tag or by stream', () => {
    const prior = state({ 'app:1': { spec: spec(), items: [item('a', V1)], conditions: [] } });
    for (const address of ['app:1', 'app']) {
      const result = plan(
        [catalogTag('app:1')],
        prior,
        { 'app:1': { kind: 'resolved', item: planned('b', V2) } },
        { reimport: [address] },
      );
      expect(result.changes[0]).toMatchObject({ action: 'update', reason: 'reimport_requested' });
      expect(result.drift).toEqual([]);
    }
  });

  it('re-imports on a spec change and carries the spec it replaces', () => {
    const prior = state({ 'app:1': { spec: spec(), items: [item('a', V1)], conditions: [] } });
    const changed = spec({ importMode: 'Legacy' });
    const result = plan([catalogTag('app:1', changed)], prior, {
      'app:1': { kind: 'resolved', item: planned('a', V1) },
    });
    expect(result.changes[0]).toMatchObject({ action: 'update', reason: 'spec_changed' });
    expect(result.changes[0]).toMatchObject({ spec: changed, priorSpec: spec() });
  });

  it('removes from state a tag no longer in the catalog', () => {
    const prior = state({
      'app:1': { spec: spec(), items: [item('a', V1)], conditions: [] },
      'old:x': { spec: spec(), items: [item('b', V1)], conditions: [] },
    });
    const result = plan([catalogTag('app:1')], prior, { 'app:1': { kind: 'unchanged' } });
    expect(result.changes.map((c) => [c.address, c.action, c.reason])).toEqual([
      ['app:1', 'noop', null],
      ['old:x', 'delete', 'removed_from_catalog'],
    ]);
    expect(result.changes[1]!.platforms.every((r) => r.action === 'delete')).toBe(true);
  });

  it('lists the tags removed from the catalog by stream, then tag, whatever their order in the state', () => {
    const tagState = { spec: spec(), items: [item('b', V1)], conditions: [] };
    const prior = state({ 'zeta:1': tagState, 'old:y': tagState, 'app:1': tagState, 'old:x': tagState });
    const result = plan([catalogTag('app:1')], prior, { 'app:1': { kind: 'unchanged' } });
    expect(result.changes.map((c) => [c.address, c.action])).toEqual([
      ['app:1', 'noop'],
      ['old:x', 'delete'],
      ['old:y', 'delete'],
      ['zeta:1', 'delete'],
    ]);
  });

  it('imports again a tag whose first import failed', () => {
    const prior = state({
      'app:1': {
        spec: spec(),
        items: [],
        conditions: [
          {
            type: 'ImportSuccess',
            status: 'False',
            reason: 'NotFound',
            message: 'x',
            generation: 3,
            lastTransitionTime: 't',
          },
        ],
      },
    });
    const result = plan([catalogTag('app:1')], prior, { 'app:1': { kind: 'resolved', item: planned('a', V1) } });
    expect(result.changes[0]).toMatchObject({ action: 'create', reason: 'new_tag' });
  });

  it('lists errors apart and plans nothing for the tag', () => {
    const result = plan([catalogTag('app:1')], null, {
      'app:1': { kind: 'error', reason: 'NotFound', message: 'quay.io/org/app:1 not found' },
    });
    expect(result.changes).toEqual([]);
    expect(result.errors).toEqual([{ address: 'app:1', reason: 'NotFound', message: 'quay.io/org/app:1 not found' }]);
    expect(result.summary.error).toBe(1);
  });

  it('restricts everything to --target addresses, deletions included', () => {
    const prior = state({ 'old:x': { spec: spec(), items: [item('b', V1)], conditions: [] } });
    const result = plan(
      [catalogTag('app:1'), catalogTag('web:2')],
      prior,
      { 'web:2': { kind: 'resolved', item: planned('a', V1) } },
      { targets: ['web'] },
    );
    expect(result.changes.map((c) => c.address)).toEqual(['web:2']);
    expect(result.targets).toEqual(['web']);
  });
});

describe('platformRows', () => {
  it('leaves attestations out', () => {
    const withAttestation: ManifestEntry[] = [
      ...entries({ 'linux/amd64': '1' }),
      { platform: 'unknown/unknown', digest: digest('9'), mediaType: OCI_MANIFEST, size: 1, attestation: true },
    ];
    expect(platformRows([], withAttestation).map((r) => r.platform)).toEqual(['linux/amd64']);
  });
});
