import { describe, expect, it } from 'vitest';
import type { CatalogTag } from '../../src/core/catalog.js';
import { OCI_MANIFEST } from '../../src/core/media-types.js';
import type { PlannedCopy, PlannedItem } from '../../src/core/plan-model.js';
import { computePlan, type Observation } from '../../src/core/planner.js';
import { parseImageSource } from '../../src/core/reference.js';
import { renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import { copyLine, formatBytes, renderPlanText } from '../../src/render/plan-text.js';

/** What plans say about the copies of Local tags into the local store. */
const digest = (c: string) => `sha256:${c.repeat(64).slice(0, 64)}`;
const FROM = 'quay.io/org/app:1';

function localTag(address: string): CatalogTag {
  const [stream, tag] = address.split(':') as [string, string];
  const spec = {
    from: FROM,
    importMode: 'Legacy' as const,
    referencePolicy: 'Local' as const,
    scheduled: false,
    insecure: false,
    preferPlatform: null,
  };
  return {
    address,
    stream,
    tag,
    spec,
    source: parseImageSource(FROM),
    defaultPlatform: 'linux/amd64',
    scheduleIntervalMs: 900_000,
    annotations: {},
    location: { file: 'imagestreams.yaml', line: 1, column: 1 },
  };
}

function item(stream: string, c: string): PlannedItem {
  return {
    digest: digest(c),
    sourceDigest: digest(c),
    mediaType: OCI_MANIFEST,
    dockerImageReference: `registry.local:5000/mirror/${stream}@${digest(c)}`,
    sourceImageReference: `quay.io/org/app@${digest(c)}`,
    manifests: [{ platform: 'linux/amd64', digest: digest(c), mediaType: OCI_MANIFEST, size: 500 }],
  };
}

const blob = (c: string, size: number) => ({ digest: digest(c), size });

function copy(stream: string, tag: string, manifests: string[], blobs: [string, number][]): PlannedCopy {
  return {
    repository: `registry.local:5000/mirror/${stream}`,
    tag,
    manifests: manifests.map((c) => blob(c, 500)),
    blobs: blobs.map(([c, size]) => blob(c, size)),
  };
}

function planOf(observations: Record<string, Observation>) {
  return computePlan({
    catalog: { displayPath: 'imagestreams.yaml', sha256: digest('c'), tags: Object.keys(observations).map(localTag) },
    state: null,
    observations: new Map(Object.entries(observations)),
    targets: [],
    reimport: new Set(),
    now: new Date('2026-11-28T10:00:00Z'),
  });
}

const MIB = 1024 * 1024;

describe('the plan of Local tags', () => {
  const plan = planOf({
    'app:1': {
      kind: 'resolved',
      item: item('app', 'a'),
      copy: copy(
        'app',
        '1',
        ['a'],
        [
          ['1', 3 * MIB],
          ['2', 1000],
        ],
      ),
    },
    'app:2': {
      kind: 'resolved',
      item: item('app', 'b'),
      copy: copy(
        'app',
        '2',
        ['b'],
        [
          ['1', 3 * MIB],
          ['3', 24],
        ],
      ),
    },
    'tools:1': { kind: 'resolved', item: item('tools', 'a'), copy: copy('tools', '1', ['a'], [['1', 3 * MIB]]) },
    'app:3': { kind: 'resolved', item: item('app', 'c'), copy: copy('app', '3', [], []) },
  });

  it('says per change what it copies: manifests, blobs not there yet, and their bytes', () => {
    expect(plan.changes.map((c) => c.copy)).toEqual([
      { target: 'registry.local:5000/mirror/app:1', manifests: 1, blobs: 2, bytes: 500 + 3 * MIB + 1000 },
      { target: 'registry.local:5000/mirror/app:2', manifests: 1, blobs: 2, bytes: 500 + 3 * MIB + 24 },
      { target: 'registry.local:5000/mirror/tools:1', manifests: 1, blobs: 1, bytes: 500 + 3 * MIB },
      { target: 'registry.local:5000/mirror/app:3', manifests: 0, blobs: 0, bytes: 0 },
    ]);
  });

  it('totals the copies in the summary, what tags of one repository share counted once', () => {
    expect(plan.summary.copy).toEqual({
      manifests: 3,
      blobs: 4,
      bytes: 3 * 500 + 2 * 3 * MIB + 1000 + 24,
    });
  });

  it('shows the copy under the tag line and in the summary line of the text plan', () => {
    const text = renderPlanText(plan, { color: false, abbrev: true });
    expect(text).toContain(
      [
        `  + app:1  ${FROM}  (Legacy)`,
        '      mirror to registry.local:5000/mirror/app:1: 1 manifest, 2 blobs, 3.00 MiB to copy',
        `    + linux/amd64    ${digest('a').slice(0, 19)}`,
      ].join('\n'),
    );
    expect(text).toContain('      mirror to registry.local:5000/mirror/app:3: nothing to copy\n');
    expect(text).toContain(
      'Plan: 4 to import, 0 to re-import, 0 to remove. 0 unchanged. Local store: 3 manifests, 4 blobs, 6.00 MiB to copy.\n',
    );
  });

  it('says it in the summary line of the markdown plan', () => {
    expect(renderPlanMarkdown(plan).split('\n')[1]).toBe(
      '**imagestreams plan:** 4 to import, 0 to re-import, 0 to remove, 0 unchanged; local store: 3 manifests, 4 blobs, 6.00 MiB to copy',
    );
  });

  it('leaves plans of Source tags as they were: no copy, no copy total', () => {
    const sourceOnly = planOf({ 'app:1': { kind: 'resolved', item: item('app', 'a') } });
    expect(sourceOnly.changes[0]!.copy).toBeUndefined();
    expect(sourceOnly.summary).toEqual({ create: 1, update: 0, delete: 0, noop: 0, drift: 0, error: 0 });
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.00 KiB'],
    [1536, '1.50 KiB'],
    [10 * 1024, '10.0 KiB'],
    [256 * MIB, '256.0 MiB'],
    [3 * 1024 * MIB, '3.00 GiB'],
  ])('%i bytes are %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('copyLine', () => {
  it('names the target and the amount', () => {
    expect(copyLine({ target: 'oci:store/app:1', manifests: 7, blobs: 1, bytes: 2048 })).toBe(
      'mirror to oci:store/app:1: 7 manifests, 1 blob, 2.00 KiB to copy',
    );
  });
});
