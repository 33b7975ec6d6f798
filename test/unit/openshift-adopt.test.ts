import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import { setYamlValue, type YamlEntries } from '../../src/config/yaml-source-edit.js';
import type { CatalogDefaults } from '../../src/core/catalog.js';
import { type AdoptNote, cleanedImageStream } from '../../src/openshift/adopt-cleaning.js';
import { imageStreamsOf, MAX_ADOPT_BYTES } from '../../src/openshift/adopt-documents.js';
import { adoptedStream } from '../../src/openshift/adopt-streams.js';
import { exportImageStreams } from '../../src/openshift/export-objects.js';
import type { ImageStreamObject, TagReference } from '../../src/openshift/image-stream-types.js';
import { metadataViolations } from '../../src/openshift/metadata-violations.js';
import { imageStreamViolations } from '../../src/openshift/strict-validation.js';
import { withAdoptedStream } from '../../src/operations/adopt-merge.js';

const DEFAULTS: CatalogDefaults = {
  importMode: 'Legacy',
  referencePolicy: 'Source',
  scheduled: false,
  preferPlatform: 'linux/amd64',
  scheduleIntervalMs: 900_000,
};
const EMPTY = 'apiVersion: imagestreams/v1\nkind: Catalog\nstreams: {}\n';

function stream(name: string, tags: object[] = [], extra: object = {}) {
  return { apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name }, spec: { tags }, ...extra };
}

/** What adopt writes into an empty catalog for `objects`, and the notes it makes. */
function adopt(objects: object[]): { text: string; notes: AdoptNote[] } {
  const notes: AdoptNote[] = [];
  let text = EMPTY;
  for (const { object, where } of imageStreamsOf(objects.map((o) => `---\n${stringify(o)}`).join(''), 'is.yaml')) {
    const cleaned = cleanedImageStream(object, notes);
    expect(imageStreamViolations(cleaned)).toEqual([]);
    const adopted = adoptedStream(cleaned, DEFAULTS, where, notes);
    const tags = adopted.tags.map((t) => [t.name, t.entries] as const);
    text = setYamlValue(text, ['streams', adopted.name], [...adopted.entries, ['tags', tags]] as YamlEntries);
  }
  return { text, notes };
}

function exported(text: string): ImageStreamObject[] {
  return exportImageStreams(parseCatalog(text, '/c/imagestreams.yaml'), null).objects;
}

describe('adopt reads what oc get is prints', () => {
  const nodejs = stream('nodejs', [{ name: '18', from: { kind: 'DockerImage', name: 'quay.io/org/node:18' } }]);

  it('takes one ImageStream, an ImageStreamList, a List, several documents, YAML or JSON', () => {
    const list = { apiVersion: 'image.openshift.io/v1', kind: 'ImageStreamList', items: [nodejs, stream('b')] };
    const plain = { apiVersion: 'v1', kind: 'List', items: [stream('c')] };
    const text = `${JSON.stringify(list)}\n---\n${stringify(plain)}---\n${stringify(stream('d'))}`;
    expect(imageStreamsOf(text, 'is.yaml').map((f) => [f.object.metadata, f.where])).toEqual([
      [{ name: 'nodejs' }, 'is.yaml: document 1, items[0]'],
      [{ name: 'b' }, 'is.yaml: document 1, items[1]'],
      [{ name: 'c' }, 'is.yaml: document 2, items[0]'],
      [{ name: 'd' }, 'is.yaml: document 3'],
    ]);
  });

  it('accepts the legacy apiVersion v1 of an ImageStream', () => {
    expect(imageStreamsOf(stringify({ ...nodejs, apiVersion: 'v1' }), 'is.yaml')).toHaveLength(1);
  });

  it.each([
    [
      'malformed YAML, with its line and column',
      'kind: ImageStream\nmetadata: {name: x\n',
      /^is\.yaml:3:1: not valid YAML or JSON/,
    ],
    [
      'another kind',
      stringify({ apiVersion: 'v1', kind: 'ConfigMap' }),
      /document 1: kind "ConfigMap": expected an ImageStream/,
    ],
    ['a wrong apiVersion', stringify({ ...nodejs, apiVersion: 'apps/v1' }), /apiVersion "apps\/v1" of an ImageStream/],
    ['a list without items', stringify({ apiVersion: 'v1', kind: 'List' }), /a List without "items"/],
    ['a scalar', 'hello\n', /expected an object with "kind", found a string/],
    ['nothing', '# nothing\n', /holds no ImageStream/],
  ])('refuses %s', (_, text, message) => {
    expect(() => imageStreamsOf(text, 'is.yaml')).toThrow(message);
  });

  it('refuses an input over the size limit before parsing it', () => {
    expect(() => imageStreamsOf('#'.repeat(MAX_ADOPT_BYTES + 1), 'big.yaml')).toThrow(/larger than 8 MiB; refused/);
  });

  it('refuses a document whose aliases expand without bound (billion laughs)', () => {
    const rows = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      rows.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    expect(() => imageStreamsOf(`${rows.join('\n')}\n`, 'laughs.yaml')).toThrow(/laughs\.yaml: document 1: .*alias/i);
  });
});

describe('adopt keeps what the catalog can say and names what it cannot', () => {
  it('drops the fields the server owns, nulls included, without a word', () => {
    const object = stream('x', [], {
      metadata: {
        name: 'x',
        uid: 'u',
        resourceVersion: '1',
        generation: 3,
        creationTimestamp: '2024-01-01T00:00:00Z',
        managedFields: [{}],
        labels: null,
        annotations: { 'openshift.io/image.dockerRepositoryCheck': '2024-01-01T00:00:00Z' },
      },
      status: { dockerImageRepository: 'image-registry.svc:5000/ns/x', publicDockerImageRepository: 'r/ns/x' },
    });
    const notes: AdoptNote[] = [];
    expect(cleanedImageStream(object, notes)).toEqual({
      ...stream('x'),
      metadata: { name: 'x', annotations: {} },
      status: {},
    });
    expect(notes).toEqual([]);
  });

  it('reports, field by field, what it drops that the user set', () => {
    const { notes } = adopt([
      stream(
        'x',
        [
          { name: 'a' },
          { name: 'b', from: { kind: 'ImageStreamTag', name: 'y:1', namespace: 'other' } },
          { name: 'c', from: { kind: 'DockerImage', name: 'r/c:1' }, reference: true },
        ],
        {
          metadata: {
            name: 'x',
            namespace: 'ns',
            annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
          },
        },
      ),
    ]);
    expect(notes.map((n) => n.field)).toEqual([
      'metadata.namespace',
      'metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]',
      'spec.tags["a"]',
      'spec.tags["b"].from.namespace',
      'spec.tags["c"].reference',
    ]);
  });

  it('refuses unknown from kinds and tags named twice, naming the stream and the field', () => {
    const notes: AdoptNote[] = [];
    const kind = stream('x', [{ name: 't', from: { kind: 'ImageStreamMapping', name: 'a' } }]);
    expect(() => adoptedStream(kind, DEFAULTS, 'is.yaml: document 1', notes)).toThrow(
      'ImageStream "x": spec.tags["t"].from.kind "ImageStreamMapping": expected DockerImage, ImageStreamTag or ImageStreamImage',
    );
    const twice = stream('x', [{ name: 't' }, { name: 't' }]);
    expect(() => adoptedStream(twice, DEFAULTS, 'is.yaml: document 1', notes)).toThrow(
      'is.yaml: document 1: ImageStream "x" has the tag "t" twice in spec.tags',
    );
    expect(() => adoptedStream({ metadata: {} }, DEFAULTS, 'is.yaml: document 2', notes)).toThrow(
      'is.yaml: document 2: an ImageStream without metadata.name',
    );
  });

  it("takes an empty import mode and reference policy as OpenShift's defaults, Legacy and Source", () => {
    const { text } = adopt([
      stream('x', [
        {
          name: 't',
          from: { kind: 'DockerImage', name: 'r/x:1' },
          importPolicy: { importMode: '' },
          referencePolicy: { type: '' },
        },
      ]),
    ]);
    expect(text).toBe(
      `${EMPTY.replace('streams: {}\n', 'streams:\n')}  x:\n    tags:\n      t:\n        from: r/x:1\n`,
    );
  });
});

/** A deterministic stream of numbers in [0, 1): the same seed gives the same streams. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function generatedStream(next: () => number, index: number): ImageStreamObject {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
  const tags: TagReference[] = Array.from({ length: 1 + Math.floor(next() * 4) }, (_, t) => {
    const tag: TagReference = {
      name: t === 0 ? 'latest' : `${pick(['1.0', 'v', '8', 'stable-2024'])}-${t}`,
      from: {
        kind: 'DockerImage',
        name: `${pick(['quay.io/org', 'registry.example:5000/team', 'docker.io/library'])}/app${index}:${t}`,
      },
      importPolicy: { importMode: pick(['Legacy', 'PreserveOriginal']) },
      referencePolicy: { type: 'Source' },
    };
    if (t > 0 && next() < 0.3) {
      const followed = next() < 0.5 ? 'latest' : `app-${index}:latest`;
      return { ...tag, name: tag.name, from: { kind: 'ImageStreamTag', name: followed } };
    }
    if (next() < 0.4) tag.importPolicy!.scheduled = true;
    if (next() < 0.2) tag.importPolicy!.insecure = true;
    if (next() < 0.3) tag.annotations = { description: `tag ${t}`, iconClass: 'icon-app', tags: 'builder,app' };
    return tag;
  });
  const object: ImageStreamObject = {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: `app-${index}` },
    spec: { tags },
  };
  if (next() < 0.5) object.metadata.labels = { team: pick(['a', 'b']), 'app.kubernetes.io/name': `app-${index}` };
  if (next() < 0.5) object.metadata.annotations = { 'openshift.io/display-name': `App ${index}` };
  if (next() < 0.3) object.spec.lookupPolicy = { local: true };
  return object;
}

describe('adopt then export gives back the adopted spec', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('on generated streams (seed %i)', (seed) => {
    const next = random(seed);
    const streams = Array.from({ length: 5 }, (_, i) => generatedStream(next, i));
    for (const object of streams) expect(imageStreamViolations(object)).toEqual([]);
    expect(exported(adopt(streams).text)).toEqual(streams);
  });
});

describe('adopt and the keys of labels and annotations', () => {
  it.each([
    [
      'a label key holding NUL',
      { labels: { 'team\0': 'a' } },
      'metadata.labels["team\\u0000"]: not a label key Kubernetes accepts',
    ],
    [
      'a label value with a line break',
      { labels: { team: 'a\nb' } },
      'metadata.labels["team"]: not a label value Kubernetes accepts',
    ],
    [
      'an annotation key holding a line break',
      { annotations: { 'a\nb': 'x' } },
      'metadata.annotations["a\\nb"]: not an annotation key Kubernetes accepts',
    ],
  ])('finds %s, which the API server refuses, and shows the key escaped', (_, metadata, violation) => {
    expect(metadataViolations({ ...metadata }).join('\n')).toContain(violation);
  });

  it('keeps a tag annotation key with NUL or a line break, which OpenShift does not check, and exports it back', () => {
    const annotations = { 'note\nforged': 'x', 'a\0b': 'y' };
    const object = stream('app', [{ name: '1', from: { kind: 'DockerImage', name: 'quay.io/a/b:1' }, annotations }]);
    const text = adopt([object]).text;
    expect(parseCatalog(text, '/c/imagestreams.yaml').warnings).toBeUndefined();
    expect(exported(text)[0]?.spec.tags[0]?.annotations).toEqual(annotations);
  });
});

describe('adopt then export on what clusters really hold', () => {
  const fixture = readFileSync(
    join(import.meta.dirname, '..', 'fixtures', 'openshift', 'cluster-streams.yaml'),
    'utf8',
  );
  const notes: AdoptNote[] = [];
  let text = EMPTY;
  for (const { object, where } of imageStreamsOf(fixture, 'cluster-streams.yaml')) {
    const cleaned = cleanedImageStream(object, notes);
    expect(imageStreamViolations(cleaned)).toEqual([]);
    const adopted = adoptedStream(cleaned, DEFAULTS, where, notes);
    const tags = adopted.tags.map((t) => [t.name, t.entries] as const);
    text = setYamlValue(text, ['streams', adopted.name], [...adopted.entries, ['tags', tags]] as YamlEntries);
  }

  /** The spec as the server fills it in: the defaults of an empty import mode, reference policy and lookup policy. */
  function withServerDefaults(spec: { tags: TagReference[]; lookupPolicy?: { local: boolean } }) {
    const tags = spec.tags.map(({ generation: _, ...tag }: TagReference & { generation?: number }) => ({
      ...tag,
      ...(tag.annotations ? {} : { annotations: undefined }),
      importPolicy: { ...tag.importPolicy, importMode: tag.importPolicy?.importMode || 'Legacy' },
      referencePolicy: { type: tag.referencePolicy?.type || 'Source' },
    }));
    return { tags, ...(spec.lookupPolicy?.local ? { lookupPolicy: spec.lookupPolicy } : {}) };
  }

  it('gives back the spec, up to the defaults the server fills in', () => {
    const original = imageStreamsOf(fixture, 'cluster-streams.yaml').map(({ object }) => object);
    const exportedStreams = exported(text);
    expect(exportedStreams.map((s) => s.metadata.name)).toEqual(['nodejs', 'httpd']);
    const expected = original.map((o) => withServerDefaults((o as { spec: ImageStreamObject['spec'] }).spec));
    const strip = (value: unknown) => JSON.parse(JSON.stringify(value));
    expect(strip(exportedStreams.map((s) => s.spec))).toEqual(strip(expected));
    expect(exportedStreams[0]?.metadata).toEqual({
      name: 'nodejs',
      labels: { 'samples.operator.openshift.io/managed': 'true' },
      annotations: { 'openshift.io/display-name': 'Node.js', 'samples.operator.openshift.io/version': '4.16.0' },
    });
  });

  it('reports what it could not keep, field by field', () => {
    expect(notes.map((n) => `${n.stream}: ${n.field}`)).toEqual([
      'nodejs: metadata.namespace',
      'httpd: metadata.namespace',
    ]);
  });
});

describe('adopt --replace rewrites what the ImageStream says and keeps what only the catalog knows', () => {
  const CATALOG = `apiVersion: imagestreams/v1
kind: Catalog
streams:
  # the payments team's images
  app:
    update: { policy: patch } # majors need a migration
    labels:
      team: payments
    discover:
      from: quay.io/org/app
      policy: { semver: '>=1' }
    tags:
      "1.0":
        from: quay.io/org/app:1.0 # pinned
        scheduleInterval: 1h
      arm:
        from: quay.io/org/app:1.1
        preferPlatform: linux/arm64
      stable:
        from: "app:1.0"
        scheduleInterval: 5m
`;

  /** The catalog text after adopting `object` over `text`, as `adopt --replace` writes it. */
  function adoptOver(text: string, object: object): string {
    const notes: AdoptNote[] = [];
    const catalog = parseCatalog(text, '/c/imagestreams.yaml');
    const adopted = adoptedStream(cleanedImageStream({ ...object }, notes), catalog.defaults, 'is.yaml', notes);
    const after = withAdoptedStream(text, adopted, catalog);
    parseCatalog(after, '/c/imagestreams.yaml');
    return after;
  }

  it('leaves the catalog byte for byte as it was when the cluster holds what it exported', () => {
    const [app] = exported(CATALOG);
    expect(adoptOver(CATALOG, app!)).toBe(CATALOG);
  });

  it("keeps the stream's update and discover and a tag's scheduleInterval, and changes only what moved", () => {
    const [app] = exported(CATALOG);
    const [pinned, arm, stable] = app!.spec.tags;
    const moved = {
      ...app!,
      metadata: { name: 'app', labels: { team: 'checkout' } },
      spec: {
        tags: [
          { ...pinned!, from: { kind: 'DockerImage', name: 'quay.io/org/app:1.2' }, importPolicy: { scheduled: true } },
          { ...stable!, from: { kind: 'ImageStreamTag', name: 'edge' } },
          { name: 'edge', from: { kind: 'DockerImage', name: 'quay.io/org/app:edge' } },
        ],
      },
    };
    expect(arm?.name).toBe('arm');
    expect(adoptOver(CATALOG, moved)).toBe(`apiVersion: imagestreams/v1
kind: Catalog
streams:
  # the payments team's images
  app:
    update: { policy: patch } # majors need a migration
    labels:
      team: checkout
    discover:
      from: quay.io/org/app
      policy: { semver: '>=1' }
    tags:
      "1.0":
        from: quay.io/org/app:1.2 # pinned
        scheduleInterval: 1h
        scheduled: true
      stable:
        from:
          kind: ImageStreamTag
          name: edge
        scheduleInterval: 5m
      edge:
        from: quay.io/org/app:edge
`);
  });

  it('writes a follower in the mapping form when the tag it follows goes: `app:1.0` would then be on Docker Hub', () => {
    const [app] = exported(CATALOG);
    const [, arm, stable] = app!.spec.tags;
    const dropped = { ...app!, spec: { tags: [arm, stable] } };
    expect(() => adoptOver(CATALOG, dropped)).toThrow(
      /ImageStreamTag app:1\.0: the image stream "app" has no tag "1\.0"/,
    );
  });

  it('writes a DockerImage named like a tag of the catalog (`app:1.0`) in the mapping form: a string would follow it', () => {
    const [app] = exported(CATALOG);
    const hub = { name: 'hub', from: { kind: 'DockerImage', name: 'app:1.0' } };
    const after = adoptOver(CATALOG, { ...app!, spec: { tags: [...app!.spec.tags, hub] } });
    expect(after).toContain('      hub:\n        from:\n          kind: DockerImage\n          name: app:1.0\n');
    expect(exported(after)[0]!.spec.tags.at(-1)!.from).toEqual({ kind: 'DockerImage', name: 'app:1.0' });
  });

  it('takes the preferred platform from the cluster when its annotations say another', () => {
    const [app] = exported(CATALOG);
    const arm = app!.spec.tags[1]!;
    const amd = { ...arm, annotations: { 'importer.image.openshift.io/prefer-arch': 'amd64' } };
    const after = adoptOver(CATALOG, { ...app!, spec: { tags: [app!.spec.tags[0], amd, app!.spec.tags[2]] } });
    expect(after).toContain(
      '      arm:\n        from: quay.io/org/app:1.1\n        annotations:\n          importer.image.openshift.io/prefer-arch: amd64\n',
    );
    expect(after).not.toContain('preferPlatform');
  });
});
