import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import type { TagSpec } from '../../src/core/catalog.js';
import type { ImageMetadata, ManifestEntry, State, TagItem } from '../../src/core/state-model.js';
import { describeStream, renderStreamDescription, renderTagDescription } from '../../src/render/describe-text.js';
import { renderHistoryText } from '../../src/render/history-text.js';

/**
 * `describe` as oc's describers print (pkg/helpers/describe in openshift/oc): fields through Go's tabwriter
 * (0, 8, 1, '\t', 0), shown with its tabs expanded, so the expected texts are written with the spaces a terminal shows.
 */
const NOW = new Date('2026-06-01T12:00:00Z');
const OPTIONS = { now: NOW };
const d = (c: string) => `sha256:${c.repeat(64)}`;
const text = (...lines: string[]) => `${lines.join('\n')}\n`;

const catalog = parseCatalog(
  `apiVersion: imagestreams/v1
kind: Catalog
local:
  registry: registry.local:5000/mirror
streams:
  app:
    tags:
      stable:
        from: quay.io/org/app:1
        annotations:
          description: The supported build
          tags: web,base
      latest:
        from: quay.io/org/app:2
        importMode: PreserveOriginal
        scheduled: true
        insecure: true
      "1.0":
        from: quay.io/org/app:nope
      "1.2":
        from: quay.io/org/app:3
        referencePolicy: Local
      edge:
        from: quay.io/org/app:4
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

const metadata = (over: Partial<ImageMetadata> = {}): ImageMetadata => ({
  created: '2026-05-31T12:00:00Z',
  labels: {},
  layers: 2,
  size: 4430,
  ...over,
});

const image = (platform: string, digest: string, over: Partial<ImageMetadata> = {}): ManifestEntry => ({
  platform,
  digest,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  size: 400,
  image: metadata(over),
});

const item = (over: Partial<TagItem> & Pick<TagItem, 'digest' | 'created' | 'generation'>): TagItem => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  dockerImageReference: `quay.io/org/app@${over.digest}`,
  sourceDigest: over.digest,
  manifests: [],
  ...over,
});

/** A config as recorded since describe shows it whole. */
const FULL_CONFIG: Partial<ImageMetadata> = {
  author: 'Platform Team',
  labels: { 'io.k8s.display-name': 'App', team: 'web' },
  entrypoint: ['/bin/app'],
  cmd: ['serve', '--port', '8080'],
  workingDir: '/srv',
  user: '1001',
  exposedPorts: ['8080/tcp', '8443/tcp'],
  env: ['PATH=/usr/bin:/bin', 'APP_MODE=prod'],
  volumes: ['/data'],
  layerSizes: [
    { digest: d('5'), size: 3409 },
    { digest: d('6'), size: 1024 },
  ],
};

const stableCurrent = item({
  digest: d('a'),
  created: '2026-06-01T11:58:00Z',
  generation: 4,
  sourceDigest: d('f'),
  selectedBy: 'default platform',
  manifests: [image('linux/amd64', d('a'), FULL_CONFIG)],
});

const latestList = item({
  digest: d('c'),
  mediaType: 'application/vnd.oci.image.index.v1+json',
  created: '2026-06-01T09:00:00Z',
  generation: 3,
  manifests: [
    image('linux/amd64', d('1'), { size: 1000, created: '2026-05-01T00:00:00Z' }),
    image('linux/arm/v7', d('2'), { size: 2000, created: '2026-05-30T12:00:00Z' }),
    {
      platform: 'unknown/unknown',
      digest: d('3'),
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      size: 566,
      attestation: true,
    },
  ],
});

const state: State = {
  version: 1,
  lineage: 'l',
  serial: 4,
  streams: {
    app: {
      tags: {
        stable: {
          spec: spec(),
          items: [
            stableCurrent,
            item({
              digest: d('b'),
              created: '2026-05-20T12:00:00Z',
              generation: 1,
              manifests: [image('linux/amd64', d('b'))],
            }),
          ],
          conditions: [],
        },
        latest: {
          spec: spec({ from: 'quay.io/org/app:2', importMode: 'PreserveOriginal', scheduled: true, insecure: true }),
          items: [latestList],
          conditions: [],
        },
        '1.0': {
          spec: spec({ from: 'quay.io/org/app:nope' }),
          items: [],
          conditions: [
            {
              type: 'ImportSuccess',
              status: 'False',
              reason: 'NotFound',
              message: 'quay.io/org/app:nope not found',
              generation: 2,
              lastTransitionTime: '2026-06-01T11:00:00Z',
            },
          ],
        },
        '1.2': {
          spec: spec({ from: 'quay.io/org/app:0' }),
          items: [
            item({
              digest: d('e'),
              dockerImageReference: `registry.local:5000/mirror/app@${d('e')}`,
              created: '2026-06-01T10:00:00Z',
              generation: 2,
              manifests: [image('linux/amd64', d('e'))],
            }),
          ],
          conditions: [],
        },
        old: {
          spec: spec({ from: 'quay.io/org/app:0' }),
          items: [
            item({
              digest: d('9'),
              created: '2026-05-01T12:00:00Z',
              generation: 1,
              manifests: [image('linux/s390x', d('9'), { layerSizes: undefined })],
            }),
          ],
          conditions: [],
        },
      },
    },
  },
};

const stream = describeStream(catalog, state, 'app')!;

/** The first lines of oc's image description: its digest twice, its pull spec, when it was imported. */
const imageNames = (digest: string, created: string) => [
  `Image Name:     ${digest}`,
  `Docker Image:   quay.io/org/app@${digest}`,
  `Name:           ${digest}`,
  `Created:        ${created}`,
];

/** The stable tag's block up to its items: its source, then the annotations oc shows. */
const STABLE_HEAD = ['stable', '  tagged from quay.io/org/app:1', '', '  The supported build', '  Tags: web, base', ''];

/** What oc shows of an image whose config is not known (a list has none). */
const NO_CONFIG = [
  'Command:        <none>',
  'Working Dir:    <none>',
  'User:           <none>',
  'Exposes Ports:  <none>',
  'Docker Labels:  <none>',
];
const tag = (name: string) => stream.tags.find((t) => t.tag === name)!;

describe('describe STREAM, as oc describe is', () => {
  it('prints the stream header at column 24, then each tag in oc order with its source and history, no images', () => {
    expect(renderStreamDescription(stream, OPTIONS)).toBe(
      text(
        'Name:                   app',
        'Namespace:              imagestreams.yaml',
        'Created:                4 weeks ago',
        'Labels:                 <none>',
        'Annotations:            <none>',
        'Image Repository:       registry.local:5000/mirror/app',
        'Image Lookup:           local=false',
        'Unique Images:          5',
        'Tags:                   6',
        '',
        'latest',
        '  updates automatically from registry quay.io/org/app:2',
        '    will use insecure HTTPS or HTTP connections',
        '',
        `  * quay.io/org/app@${d('c')}`,
        '      3 hours ago',
        '',
        '1.2',
        '  tagged from quay.io/org/app:3',
        '    prefer registry pullthrough when referencing this tag',
        '',
        '  ~ the catalog changed since the last import: apply re-imports it',
        `  * registry.local:5000/mirror/app@${d('e')}`,
        '      2 hours ago',
        '',
        '1.0',
        '  tagged from quay.io/org/app:nope',
        '',
        '  ! error: Import failed (NotFound): quay.io/org/app:nope not found',
        '      About an hour ago',
        '',
        'edge',
        '  tagged from quay.io/org/app:4',
        '',
        '  ~ not imported yet: run apply or import-image',
        '',
        'old',
        '  no spec tag (removed from the catalog: the next apply forgets it)',
        '',
        `  * quay.io/org/app@${d('9')}`,
        '      4 weeks ago',
        '',
        ...STABLE_HEAD,
        `  * quay.io/org/app@${d('a')}`,
        '      2 minutes ago',
        `    quay.io/org/app@${d('b')}`,
        '      12 days ago',
      ),
    );
  });

  it('says `Tags: <none>` and no Created line for a stream with no import', () => {
    const bare = describeStream(catalog, { ...state, streams: {} }, 'app')!;
    const out = renderStreamDescription(bare, OPTIONS);
    expect(out).not.toContain('Created:');
    expect(out).toContain('Unique Images:          0\nTags:                   5\n');
  });

  it('is undefined for a stream neither the catalog nor the state has', () => {
    expect(describeStream(catalog, state, 'nothing')).toBeUndefined();
  });
});

describe('describe STREAM:TAG, as oc describe istag', () => {
  it('prints an image with its layers, platform and the whole config at column 16', () => {
    expect(renderTagDescription(tag('stable'), OPTIONS)).toBe(
      text(
        `Image Name:     ${d('a')}`,
        `Docker Image:   quay.io/org/app@${d('a')}`,
        `Name:           ${d('a')}`,
        'Created:        2 minutes ago',
        'Image Size:     4.43kB in 2 layers',
        `Layers:         3.409kB sha256:${'5'.repeat(64)}`,
        `                1.024kB sha256:${'6'.repeat(64)}`,
        'Image Created:  24 hours ago',
        'Author:         Platform Team',
        'Arch:           amd64',
        'Entrypoint:     /bin/app',
        'Command:        serve --port 8080',
        'Working Dir:    /srv',
        'User:           1001',
        'Exposes Ports:  8080/tcp, 8443/tcp',
        'Docker Labels:  io.k8s.display-name=App',
        '                team=web',
        'Environment:    PATH=/usr/bin:/bin',
        '                APP_MODE=prod',
        'Volumes:        /data',
      ),
    );
  });

  it('lists every manifest of a list at the page columns, attestations marked; a list has no config', () => {
    expect(renderTagDescription(tag('latest'), OPTIONS)).toBe(
      text(
        ...imageNames(d('c'), '3 hours ago'),
        'Layer Size:     3kB',
        'Image Created:  2 days ago',
        'Author:         <none>',
        'Arch:           <none>',
        `Manifests:      linux/amd64     ${d('1')}`,
        `                linux/arm/v7    ${d('2')}`,
        `                unknown/unknown ${d('3')}  (attestation)`,
        ...NO_CONFIG,
      ),
    );
  });

  it("shows an image recorded before layers were with oc's Layer Size line and the config fields as <none>", () => {
    expect(renderTagDescription(tag('old'), OPTIONS)).toBe(
      text(
        ...imageNames(d('9'), '4 weeks ago'),
        'Layer Size:     4.43kB',
        'Image Created:  24 hours ago',
        'Author:         <none>',
        'Arch:           s390x',
        ...NO_CONFIG,
      ),
    );
  });

  it('marks the item a dry run would import as not imported', () => {
    const out = renderTagDescription(tag('stable'), { now: NOW, notImported: stableCurrent });
    expect(out).toContain('\nCreated:        (dry run: not imported)\n');
  });

  it("shows a tag with no image as its block of describe STREAM, with its import's failure", () => {
    expect(renderTagDescription(tag('1.0'), OPTIONS)).toBe(
      text(
        '1.0',
        '  tagged from quay.io/org/app:nope',
        '',
        '  ! error: Import failed (NotFound): quay.io/org/app:nope not found',
        '      About an hour ago',
      ),
    );
  });

  it('keeps a hostile value on its line: tabs, line breaks and escape sequences never reach the layout', () => {
    const hostile = item({
      digest: d('7'),
      created: '2026-06-01T11:00:00Z',
      generation: 1,
      manifests: [image('linux/amd64', d('7'), { author: 'a\tb\nForged:\tline\u001b[2J', env: ['X=1\r\nY=2'] })],
    });
    const out = renderTagDescription({ ...tag('stable'), items: [hostile] }, OPTIONS);
    expect(out).toContain('\nAuthor:         a b Forged: line[2J\n');
    expect(out).toContain('\nEnvironment:    X=1  Y=2\n');
  });
});

describe('a state file written by someone else', () => {
  it('cannot forge lines or move the cursor through a pull spec, a source or a platform', () => {
    const forged = 'quay.io/org/app\tForged:\tyes\n\u001b[2J';
    const hostile = item({
      digest: d('7'),
      dockerImageReference: forged,
      created: '2026-06-01T11:00:00Z',
      generation: 1,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{ platform: 'linux/amd64\nx', digest: d('8'), mediaType: 'm', size: 1 }],
    });
    const forgedTag = { ...tag('old'), spec: spec({ from: forged }), items: [hostile] };
    const out = [
      renderStreamDescription({ ...stream, tags: [forgedTag] }, OPTIONS),
      renderTagDescription(forgedTag, OPTIONS),
      renderHistoryText(forgedTag, OPTIONS),
    ].join('');
    expect(out).not.toContain('\t');
    expect(out).not.toContain('\u001b');
    expect(out).not.toMatch(/^Forged/m);
    expect(out).toContain('\n  * quay.io/org/app Forged: yes [2J\n');
    expect(out).toContain(`\nManifests:      linux/amd64 x   ${d('8')}\n`);
  });
});

describe('history STREAM:TAG', () => {
  it("is the tag's block with each item's generation, import time, digest, media type and manifests", () => {
    expect(renderHistoryText(tag('stable'), OPTIONS)).toBe(
      text(
        ...STABLE_HEAD,
        `  * quay.io/org/app@${d('a')}`,
        '      2 minutes ago',
        '      Generation:       4',
        '      Imported:         2026-06-01T11:58:00Z',
        `      Digest:           ${d('a')}`,
        '      Media Type:       application/vnd.oci.image.manifest.v1+json',
        `      Manifests:        linux/amd64     ${d('a')}`,
        `    quay.io/org/app@${d('b')}`,
        '      12 days ago',
        '      Generation:       1',
        '      Imported:         2026-05-20T12:00:00Z',
        `      Digest:           ${d('b')}`,
        '      Media Type:       application/vnd.oci.image.manifest.v1+json',
        `      Manifests:        linux/amd64     ${d('b')}`,
      ),
    );
  });

  it('lists the manifests of a list, attestations marked', () => {
    expect(renderHistoryText(tag('latest'), OPTIONS)).toContain(
      text(
        `      Manifests:        linux/amd64     ${d('1')}`,
        `                        linux/arm/v7    ${d('2')}`,
        `                        unknown/unknown ${d('3')}  (attestation)`,
      ),
    );
  });
});
