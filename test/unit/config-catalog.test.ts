import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/config/index.js';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import type { CatalogTag } from '../../src/core/catalog.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'catalogs');
const ROOT = join(import.meta.dirname, '..', '..');

function tagOf(tags: CatalogTag[], address: string): CatalogTag {
  const tag = tags.find((t) => t.address === address);
  if (!tag) throw new Error(`no tag ${address}`);
  return tag;
}

/** A catalog of one tag `s:t` with the given tag lines (indented under the tag). */
function oneTag(...tagLines: string[]): string {
  return [
    'apiVersion: imagestreams/v1',
    'kind: Catalog',
    'streams:',
    '  s:',
    '    tags:',
    '      t:',
    ...tagLines.map((l) => `        ${l}`),
  ].join('\n');
}

describe('loadCatalog on a minimal catalog', async () => {
  const path = join(FIXTURES, 'minimal.yaml');
  const catalog = await loadCatalog(path);

  it('applies the defaults of DESIGN §3', () => {
    expect(catalog.defaults).toEqual({
      importMode: 'Legacy',
      referencePolicy: 'Source',
      scheduled: false,
      preferPlatform: 'linux/amd64',
      scheduleIntervalMs: 15 * 60_000,
    });
    expect(catalog.registries).toEqual([]);
    expect(catalog.local).toEqual({ layout: join(FIXTURES, '.imagestreams', 'store'), noLinksBelow: FIXTURES });
  });

  it('gives every tag a spec, with no platform preference of its own', () => {
    expect(catalog.tags).toHaveLength(1);
    const [tag] = catalog.tags;
    expect(tag).toMatchObject({
      address: 'alpine:latest',
      stream: 'alpine',
      tag: 'latest',
      spec: {
        from: 'alpine',
        importMode: 'Legacy',
        referencePolicy: 'Source',
        scheduled: false,
        insecure: false,
        preferPlatform: null,
      },
      source: { transport: 'registry', ref: { registry: 'docker.io', repository: 'library/alpine', tag: 'latest' } },
      defaultPlatform: 'linux/amd64',
      scheduleIntervalMs: 15 * 60_000,
      annotations: {},
      location: { file: path, line: 6, column: 7 },
    });
  });

  it('puts the state beside the catalog and hashes the raw bytes', () => {
    expect(catalog.path).toBe(path);
    expect(catalog.displayPath).toBe(path);
    expect(catalog.statePath).toBe(join(FIXTURES, 'imagestreams.state.json'));
    expect(catalog.sha256).toBe(`sha256:${createHash('sha256').update(readFileSync(path)).digest('hex')}`);
  });
});

describe('loadCatalog on the full catalog of DESIGN §3', async () => {
  const catalog = await loadCatalog(join(FIXTURES, 'full.yaml'), { displayPath: 'full.yaml' });

  it('resolves the state path relative to the catalog', () => {
    expect(catalog.statePath).toBe(join(FIXTURES, 'state', 'imagestreams.state.json'));
  });

  it('reads registries in catalog order, with absolute paths', () => {
    expect(catalog.registries).toEqual([
      {
        key: 'registry.redhat.io',
        insecure: false,
        auth: { secret: join(FIXTURES, 'secrets', 'pull-secret.yaml') },
        location: { file: 'full.yaml', line: 14, column: 3 },
      },
      {
        key: 'registry.local:5000',
        insecure: true,
        ca: join(FIXTURES, 'certs', 'ca.pem'),
        clientCert: join(FIXTURES, 'certs', 'client.pem'),
        clientKey: join(FIXTURES, 'certs', 'client-key.pem'),
        maxConcurrency: 4,
        requestsPerSecond: 10,
        location: { file: 'full.yaml', line: 17, column: 3 },
      },
    ]);
  });

  it('keeps the local registry', () => {
    expect(catalog.local).toEqual({ registry: 'registry.internal:5000/mirror' });
  });

  it('lists the tags in catalog order', () => {
    expect(catalog.tags.map((t) => t.address)).toEqual([
      'ubi9:latest',
      'ubi9:9.4',
      'demo:1.0',
      'demo:pinned',
      'demo:mirror',
    ]);
  });

  it('applies per-tag values over the defaults', () => {
    expect(tagOf(catalog.tags, 'ubi9:latest').spec).toEqual({
      from: 'registry.access.redhat.com/ubi9/ubi:latest',
      importMode: 'PreserveOriginal',
      referencePolicy: 'Source',
      scheduled: true,
      insecure: false,
      preferPlatform: null,
    });
    expect(tagOf(catalog.tags, 'ubi9:9.4').spec).toMatchObject({
      importMode: 'Legacy',
      referencePolicy: 'Local',
      preferPlatform: 'linux/arm64',
    });
  });

  it('makes an oci: source absolute while the spec keeps it as written', () => {
    const tag = tagOf(catalog.tags, 'demo:1.0');
    expect(tag.spec.from).toBe('oci:images/demo:1.0');
    expect(tag.source).toEqual({ transport: 'layout', ref: { path: join(FIXTURES, 'images', 'demo'), tag: '1.0' } });
    expect(tag.spec.insecure).toBe(false);
  });

  it('takes insecure from the most specific registry key, and the tag interval and annotations', () => {
    const tag = tagOf(catalog.tags, 'demo:mirror');
    expect(tag.spec.insecure).toBe(true);
    expect(tag.spec.preferPlatform).toBe('linux/arm64');
    expect(tag.scheduleIntervalMs).toBe(90 * 60_000);
    expect(tag.annotations).toEqual({ 'importer.image.openshift.io/prefer-arch': 'arm64' });
  });

  it('parses a digest-pinned source', () => {
    expect(tagOf(catalog.tags, 'demo:pinned').source).toEqual({
      transport: 'registry',
      ref: {
        registry: 'quay.io',
        repository: 'org/app',
        digest: 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      },
    });
  });
});

describe('loadCatalog on the catalogs the repository ships', () => {
  it.each(['imagestreams.yaml', 'examples/catalogs/docker-hub.yaml'])('%s is valid', async (file) => {
    const catalog = await loadCatalog(join(ROOT, file));
    expect(catalog.tags.length).toBeGreaterThan(0);
  });
});

describe('options', () => {
  it('statePathOverride wins over the catalog state key', () => {
    const catalog = parseCatalog(`state: elsewhere.json\n${oneTag('from: alpine')}`, join(FIXTURES, 'x.yaml'), {
      statePathOverride: '/tmp/override.json',
    });
    expect(catalog.statePath).toBe('/tmp/override.json');
  });

  it('names the display path in locations', () => {
    const catalog = parseCatalog(oneTag('from: alpine'), join(FIXTURES, 'x.yaml'), { displayPath: 'cat.yaml' });
    expect(catalog.tags[0]?.location).toEqual({ file: 'cat.yaml', line: 6, column: 7 });
  });

  it('hashes text as its UTF-8 bytes', () => {
    const text = oneTag('from: alpine # é');
    const catalog = parseCatalog(text, join(FIXTURES, 'x.yaml'));
    expect(catalog.sha256).toBe(`sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`);
  });
});

describe('tag names as written', () => {
  it('keeps plain keys that YAML would read as numbers as written', () => {
    const text = [
      'apiVersion: imagestreams/v1',
      'kind: Catalog',
      'streams:',
      '  alpine:',
      '    tags:',
      '      3.20: {from: "alpine:3.20"}',
      '      1.0: {from: "alpine:1.0"}',
      '      1: {from: "alpine:1"}',
      '      true: {from: "alpine:true"}',
    ].join('\n');
    const catalog = parseCatalog(text, join(FIXTURES, 'x.yaml'));
    expect(catalog.tags.map((t) => t.tag)).toEqual(['3.20', '1.0', '1', 'true']);
  });
});

describe('preferred platforms', () => {
  const defaultsArm = ['defaults:', '  preferPlatform: linux/arm/v7'];

  it.each([
    ['preferPlatform', ['preferPlatform: linux/aarch64'], [], 'linux/arm64'],
    ['preferPlatform without a variant keeps none', ['preferPlatform: linux/arm'], [], 'linux/arm'],
    [
      'prefer-arch alone (os linux)',
      ['annotations:', '  importer.image.openshift.io/prefer-arch: x86_64'],
      [],
      'linux/amd64',
    ],
    [
      'prefer-os alone (arch of the default platform)',
      ['annotations:', '  importer.image.openshift.io/prefer-os: windows'],
      defaultsArm,
      'windows/arm',
    ],
    [
      'prefer-os and prefer-arch',
      [
        'annotations:',
        '  importer.image.openshift.io/prefer-os: linux',
        '  importer.image.openshift.io/prefer-arch: ppc64le',
      ],
      [],
      'linux/ppc64le',
    ],
    [
      'annotations that agree with preferPlatform',
      ['preferPlatform: linux/arm64', 'annotations:', '  importer.image.openshift.io/prefer-arch: aarch64'],
      [],
      'linux/arm64',
    ],
    ['unrelated annotations', ['annotations:', '  team: platform'], [], null],
  ])('%s', (_name, tagLines, extra, expected) => {
    const catalog = parseCatalog(
      `${extra.join('\n')}\n${oneTag('from: alpine', ...tagLines)}`,
      join(FIXTURES, 'x.yaml'),
    );
    expect(catalog.tags[0]?.spec.preferPlatform).toBe(expected);
  });

  it('normalises the default platform and gives it to every tag', () => {
    const catalog = parseCatalog(`defaults:\n  preferPlatform: Linux/ARM64/v8\n${oneTag('from: alpine')}`, 'x.yaml');
    expect(catalog.defaults.preferPlatform).toBe('linux/arm64');
    expect(catalog.tags[0]?.defaultPlatform).toBe('linux/arm64');
  });
});

describe('insecure', () => {
  const registries = [
    'registries:',
    '  registry.local:5000:',
    '    insecure: true',
    '  registry.local:5000/secure:',
    '    insecure: false',
  ].join('\n');

  it.each([
    ['registry.local:5000/app', [], true],
    ['registry.local:5000/secure/app', [], false],
    ['registry.local:5000/secure/app', ['insecure: true'], true],
    ['registry.local:5000/app', ['insecure: false'], false],
    ['registry.local/app', [], false],
    ['oci:images/demo', [], false],
    ['oci:images/demo', ['insecure: false'], false],
  ])('%s with %j is insecure: %s', (from, tagLines, expected) => {
    const catalog = parseCatalog(`${registries}\n${oneTag(`from: ${from}`, ...tagLines)}`, join(FIXTURES, 'x.yaml'));
    expect(catalog.tags[0]?.spec.insecure).toBe(expected);
  });
});

describe('local', () => {
  it('makes a layout directory absolute', () => {
    const catalog = parseCatalog(`local:\n  layout: store\n${oneTag('from: alpine')}`, join(FIXTURES, 'x.yaml'));
    expect(catalog.local).toEqual({ layout: join(FIXTURES, 'store') });
  });

  it('lets a tag use the Local reference policy', () => {
    const catalog = parseCatalog(
      `local:\n  layout: store\ndefaults:\n  referencePolicy: Local\n${oneTag('from: alpine')}`,
      join(FIXTURES, 'x.yaml'),
    );
    expect(catalog.tags[0]?.spec.referencePolicy).toBe('Local');
  });
});

describe('aliases', () => {
  it('expands anchors shared between tags', () => {
    const text = [
      'apiVersion: imagestreams/v1',
      'kind: Catalog',
      'streams:',
      '  s:',
      '    tags:',
      '      a: &tag {from: alpine, scheduled: true}',
      '      b: *tag',
    ].join('\n');
    const catalog = parseCatalog(text, 'x.yaml');
    expect(catalog.tags.map((t) => [t.address, t.spec.scheduled])).toEqual([
      ['s:a', true],
      ['s:b', true],
    ]);
  });
});
