import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/index.js';
import type { TagSpec } from '../../src/core/catalog.js';
import type { ManifestEntry, State, TagItem } from '../../src/core/state-model.js';
import {
  describeStream,
  humanDuration,
  humanSize,
  renderStreamDescription,
  renderTagDescription,
} from '../../src/render/describe-text.js';
import { renderHistoryText } from '../../src/render/history-text.js';

const NOW = new Date('2026-06-01T12:00:00Z');
const OPTIONS = { now: NOW, attestations: false };
const d = (c: string) => `sha256:${c.repeat(64)}`;

const catalog = parseCatalog(
  `apiVersion: imagestreams/v1
kind: Catalog
streams:
  app:
    tags:
      legacy:
        from: quay.io/org/app:1
      po:
        from: quay.io/org/app:2
        importMode: PreserveOriginal
        scheduled: true
        insecure: true
      broken:
        from: quay.io/org/app:nope
      fresh:
        from: quay.io/org/app:3
        preferPlatform: linux/arm64
`,
  '/catalogs/imagestreams.yaml',
  { displayPath: 'imagestreams.yaml' },
);

const spec = (over: Partial<TagSpec> = {}): TagSpec => ({
  from: 'quay.io/org/app:1',
  importMode: 'Legacy',
  referencePolicy: 'Source',
  scheduled: false,
  insecure: false,
  preferPlatform: null,
  ...over,
});

const image = (platform: string, digest: string, labels: Record<string, string> = {}): ManifestEntry => ({
  platform,
  digest,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  size: 400,
  image: { created: '2024-01-01T00:00:00Z', labels, layers: 2, size: 1234 },
});

const item = (over: Partial<TagItem> & Pick<TagItem, 'digest' | 'created' | 'generation'>): TagItem => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  dockerImageReference: `quay.io/org/app@${over.digest}`,
  sourceDigest: over.digest,
  manifests: [],
  ...over,
});

const state: State = {
  version: 1,
  lineage: 'l',
  serial: 4,
  streams: {
    app: {
      tags: {
        legacy: {
          spec: spec(),
          items: [
            item({
              digest: d('a'),
              created: '2026-06-01T11:58:00Z',
              generation: 4,
              sourceDigest: d('f'),
              selectedBy: 'default platform',
              manifests: [image('linux/amd64', d('a'), { team: 'web', tier: 'base' })],
            }),
            item({
              digest: d('b'),
              created: '2026-05-20T12:00:00Z',
              generation: 1,
              manifests: [image('linux/amd64', d('b'))],
            }),
          ],
          conditions: [],
        },
        po: {
          spec: spec({ from: 'quay.io/org/app:2', importMode: 'PreserveOriginal', scheduled: true, insecure: true }),
          items: [
            item({
              digest: d('c'),
              mediaType: 'application/vnd.oci.image.index.v1+json',
              created: '2026-06-01T09:00:00Z',
              generation: 3,
              manifests: [
                image('linux/amd64', d('1'), { team: 'web', arch: 'x86' }),
                image('linux/arm64', d('2'), { team: 'web', arch: 'arm' }),
                {
                  platform: 'unknown/unknown',
                  digest: d('3'),
                  mediaType: 'application/vnd.oci.image.manifest.v1+json',
                  size: 566,
                  attestation: true,
                },
              ],
            }),
          ],
          conditions: [],
        },
        broken: {
          spec: spec({ from: 'quay.io/org/app:nope' }),
          items: [],
          conditions: [
            {
              type: 'ImportSuccess',
              status: 'False',
              reason: 'NotFound',
              message: 'quay.io/org/app:nope not found: repository quay.io/org/app has no tag "nope"',
              generation: 4,
              lastTransitionTime: '2026-06-01T11:55:00Z',
            },
          ],
        },
        gone: {
          spec: spec({ from: 'quay.io/org/old:1' }),
          items: [item({ digest: d('e'), created: '2025-01-01T00:00:00Z', generation: 2 })],
          conditions: [],
        },
      },
    },
  },
};

const stream = describeStream(catalog, state, 'app')!;

describe('describe STREAM', () => {
  it('is the stream summary in the manner of oc describe is, then the current image of each tag', () => {
    expect(renderStreamDescription(stream, OPTIONS)).toBe(`Name:          app
Catalog:       imagestreams.yaml
Unique Images: 4
Tags:          5

legacy
  tagged from quay.io/org/app:1
  Import Mode:      Legacy (linux/amd64 by default platform)
  Scheduled:        no (pinned: upstream moves are reported as drift)
  Reference Policy: Source

  * quay.io/org/app@${d('a')}
      2 minutes ago
    quay.io/org/app@${d('b')}
      12 days ago

po
  updates automatically from registry quay.io/org/app:2
    will use insecure HTTPS or HTTP connections
  Import Mode:      PreserveOriginal
  Scheduled:        yes (checked every 15m)
  Reference Policy: Source

  * quay.io/org/app@${d('c')}
      3 hours ago

broken
  tagged from quay.io/org/app:nope
  Import Mode:      Legacy
  Scheduled:        no (pinned: upstream moves are reported as drift)
  Reference Policy: Source

  ! error: Import failed (NotFound): quay.io/org/app:nope not found: repository quay.io/org/app has no tag "nope"
      5 minutes ago

fresh
  tagged from quay.io/org/app:3
  Import Mode:      Legacy
  Scheduled:        no (pinned: upstream moves are reported as drift)
  Reference Policy: Source
  Prefer Platform:  linux/arm64
  not imported yet: run apply or import-image

gone
  tagged from quay.io/org/old:1
  removed from the catalog: the next apply forgets it
  Import Mode:      Legacy
  Scheduled:        no (pinned: upstream moves are reported as drift)
  Reference Policy: Source

  * quay.io/org/app@${d('e')}
      17 months ago

Image Name:    app:legacy
Docker Image:  quay.io/org/app@${d('a')}
Name:          ${d('a')}
Media Type:    application/vnd.oci.image.manifest.v1+json
Imported:      2 minutes ago (generation 4)
Image Created: 2 years ago (2024-01-01T00:00:00Z)
Image Size:    1.234kB in 2 layers
Labels:        team=web
               tier=base
Arch:          amd64
Manifests:     linux/amd64  ${d('a')}

Image Name:    app:po
Docker Image:  quay.io/org/app@${d('c')}
Name:          ${d('c')}
Media Type:    application/vnd.oci.image.index.v1+json
Imported:      3 hours ago (generation 3)
Image Created: 2 years ago (2024-01-01T00:00:00Z)
Image Size:    2.468kB in 2 images
Labels:        team=web
Arch:          <none>
Manifests:     linux/amd64  ${d('1')}
               linux/arm64  ${d('2')}
               (1 attestation manifest not listed: --show-attestations)

Image Name:   app:gone
Docker Image: quay.io/org/app@${d('e')}
Name:         ${d('e')}
Media Type:   application/vnd.oci.image.manifest.v1+json
Imported:     17 months ago (generation 2)
Arch:         <none>
Manifests:    <none>
`);
  });

  it('notes a tag whose catalog spec changed since its last import', () => {
    const changed = describeStream(catalog, structuredClone(state), 'app')!;
    const legacy = changed.tags.find((t) => t.tag === 'legacy')!;
    legacy.importedSpec = spec({ from: 'quay.io/org/app:0' });
    expect(renderTagDescription(legacy, OPTIONS)).toContain(
      '  Reference Policy: Source\n  ~ the catalog changed since the last import: apply re-imports it\n',
    );
  });

  it('is undefined for a stream neither the catalog nor the state has', () => {
    expect(describeStream(catalog, state, 'nope')).toBeUndefined();
  });
});

describe('describe STREAM:TAG', () => {
  it('lists attestation manifests when asked', () => {
    const po = stream.tags.find((t) => t.tag === 'po')!;
    const text = renderTagDescription(po, { ...OPTIONS, attestations: true });
    expect(text).toContain(
      [
        `Manifests:     linux/amd64      ${d('1')}`,
        `               linux/arm64      ${d('2')}`,
        `               unknown/unknown  ${d('3')}  (attestation)`,
      ].join('\n'),
    );
  });

  it('marks the item a dry run would import as not imported, with no age or generation, keeping its metadata', () => {
    const legacy = stream.tags.find((t) => t.tag === 'legacy')!;
    const text = renderTagDescription(legacy, { ...OPTIONS, notImported: legacy.items[0]! });
    expect(text).toContain(`  * quay.io/org/app@${d('a')}\n      (dry run: not imported)\n`);
    expect(text).toContain('\nImported:      (dry run: not imported)\nImage Created: ');
    expect(text).not.toContain('(generation 4)');
  });

  it('shows only the tag for one that never imported', () => {
    const broken = stream.tags.find((t) => t.tag === 'broken')!;
    expect(renderTagDescription(broken, OPTIONS)).not.toContain('Image Name');
  });
});

describe('history', () => {
  it('is a table of the items, newest first, with their per-platform digests', () => {
    const legacy = stream.tags.find((t) => t.tag === 'legacy')!;
    expect(renderHistoryText(legacy, OPTIONS)).toBe(`app:legacy  quay.io/org/app:1  (Legacy, pinned, Source)

  GENERATION  IMPORTED                              DIGEST
* 4           2026-06-01T11:58:00Z (2 minutes ago)  ${d('a')}
    linux/amd64  ${d('a')}
  1           2026-05-20T12:00:00Z (12 days ago)    ${d('b')}
    linux/amd64  ${d('b')}
`);
  });

  it('shows the failure of a tag with no image', () => {
    const broken = stream.tags.find((t) => t.tag === 'broken')!;
    expect(renderHistoryText(broken, OPTIONS)).toBe(`app:broken  quay.io/org/app:nope  (Legacy, pinned, Source)

! error: Import failed (NotFound): quay.io/org/app:nope not found: repository quay.io/org/app has no tag "nope"
    5 minutes ago

app:broken has no imported image yet.
`);
  });
});

describe('ages and sizes as docker and oc print them', () => {
  it.each([
    [0, 'Less than a second'],
    [1_000, '1 second'],
    [59_000, '59 seconds'],
    [60_000, 'About a minute'],
    [45 * 60_000, '45 minutes'],
    [60 * 60_000, 'About an hour'],
    [3 * 3_600_000, '3 hours'],
    [47 * 3_600_000, '47 hours'],
    [3 * 86_400_000, '3 days'],
    [20 * 86_400_000, '2 weeks'],
    [90 * 86_400_000, '3 months'],
    [800 * 86_400_000, '2 years'],
  ])('%d ms is %j', (milliseconds, text) => {
    expect(humanDuration(milliseconds)).toBe(text);
  });

  it.each([
    [0, '0B'],
    [623, '623B'],
    [1234, '1.234kB'],
    [12_345_678, '12.35MB'],
    [1_000_000_000, '1GB'],
  ])('%d bytes is %j', (bytes, text) => {
    expect(humanSize(bytes)).toBe(text);
  });
});
