import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import type { State } from '../../src/core/state-model.js';
import { exportImageStreams } from '../../src/openshift/export-objects.js';
import { kustomizationYaml, manifestsYaml } from '../../src/openshift/manifest-yaml.js';
import { imageStreamViolations } from '../../src/openshift/strict-validation.js';
import { digest, imageItem, manifest, recordedItem } from '../fixtures/plans/factories.js';

const DIR = '/work/catalogs';

function catalogOf(...lines: string[]) {
  return parseCatalog(
    ['apiVersion: imagestreams/v1', 'kind: Catalog', ...lines].join('\n'),
    join(DIR, 'imagestreams.yaml'),
  );
}

const CATALOG = catalogOf(
  'streams:',
  '  ubi9:',
  '    labels: { team: platform }',
  '    annotations: { openshift.io/display-name: UBI 9 }',
  '    lookupPolicy: { local: true }',
  '    tags:',
  '      latest: { from: registry.access.redhat.com/ubi9/ubi:latest, scheduled: true, importMode: PreserveOriginal }',
  '      "9.4": { from: registry.access.redhat.com/ubi9/ubi:9.4, preferPlatform: linux/arm64 }',
  `      pinned: { from: "quay.io/org/app@sha256:${'c'.repeat(64)}", insecure: true }`,
  '  empty:',
  '    tags: {}',
);

/** The state after 9.4 was applied: its source resolved to `sha256:aaaa…`. */
function appliedState(): State {
  const item = recordedItem(imageItem('registry.access.redhat.com/ubi9/ubi:9.4', manifest('linux/arm64', 'a')));
  const tag = { spec: CATALOG.tags[1]!.spec, items: [item], conditions: [] };
  return { version: 1, lineage: 'l', serial: 1, streams: { ubi9: { tags: { '9.4': tag } } } };
}

describe('export: the catalog as ImageStreams', () => {
  const { objects, notes } = exportImageStreams(CATALOG, appliedState(), { namespace: 'images' });
  const [ubi9, empty] = objects;

  it('writes one ImageStream a stream, streams without tags too, with the namespace asked for', () => {
    expect(objects.map((o) => [o.kind, o.apiVersion, o.metadata.name, o.metadata.namespace])).toEqual([
      ['ImageStream', 'image.openshift.io/v1', 'ubi9', 'images'],
      ['ImageStream', 'image.openshift.io/v1', 'empty', 'images'],
    ]);
    expect(empty?.spec).toEqual({ tags: [] });
  });

  it("carries the stream's labels, annotations and lookup policy", () => {
    expect(ubi9?.metadata.labels).toEqual({ team: 'platform' });
    expect(ubi9?.metadata.annotations).toEqual({ 'openshift.io/display-name': 'UBI 9' });
    expect(ubi9?.spec.lookupPolicy).toEqual({ local: true });
  });

  it('exports a scheduled tag by its source tag, so that the cluster follows it', () => {
    expect(ubi9?.spec.tags[0]).toEqual({
      name: 'latest',
      from: { kind: 'DockerImage', name: 'registry.access.redhat.com/ubi9/ubi:latest' },
      importPolicy: { importMode: 'PreserveOriginal', scheduled: true },
      referencePolicy: { type: 'Source' },
    });
  });

  it('exports a pinned tag by the digest the state recorded, its preferred platform as OpenShift annotations', () => {
    expect(ubi9?.spec.tags[1]).toEqual({
      name: '9.4',
      annotations: {
        'importer.image.openshift.io/prefer-arch': 'arm64',
        'importer.image.openshift.io/prefer-os': 'linux',
      },
      from: { kind: 'DockerImage', name: `registry.access.redhat.com/ubi9/ubi@${digest('a')}` },
      importPolicy: { importMode: 'Legacy' },
      referencePolicy: { type: 'Source' },
    });
  });

  it('keeps a digest-pinned source and its insecure policy as written', () => {
    expect(ubi9?.spec.tags[2]?.from).toEqual({ kind: 'DockerImage', name: `quay.io/org/app@sha256:${'c'.repeat(64)}` });
    expect(ubi9?.spec.tags[2]?.importPolicy).toEqual({ importMode: 'Legacy', insecure: true });
    expect(notes).toEqual([]);
  });

  it('exports every tag by its source tag when asked', () => {
    const bySource = exportImageStreams(CATALOG, appliedState(), { sourceTags: true });
    expect(bySource.objects[0]?.spec.tags[1]?.from?.name).toBe('registry.access.redhat.com/ubi9/ubi:9.4');
  });

  it('says when a pinned tag was never applied, and exports it by its source tag', () => {
    const fresh = exportImageStreams(CATALOG, null);
    expect(fresh.objects[0]?.spec.tags[1]?.from?.name).toBe('registry.access.redhat.com/ubi9/ubi:9.4');
    expect(fresh.notes).toEqual([
      { address: 'ubi9:9.4', message: 'not applied yet: exported by its source tag, not by a digest' },
    ]);
  });

  it('leaves out a tag whose source is an image layout on disk, saying so', () => {
    const catalog = catalogOf('streams:', '  demo:', '    tags:', '      "1.0": { from: "oci:images/demo:1.0" }');
    const result = exportImageStreams(catalog, null);
    expect(result.objects[0]?.spec.tags).toEqual([]);
    expect(result.notes[0]?.message).toContain('image layout on disk');
  });

  it('writes the same bytes for the same catalog and state', () => {
    const again = exportImageStreams(CATALOG, appliedState(), { namespace: 'images' });
    expect(manifestsYaml(again.objects, ['header'])).toBe(manifestsYaml(objects, ['header']));
    expect(manifestsYaml(objects)).toMatch(/^---\napiVersion: image\.openshift\.io\/v1\nkind: ImageStream\n/);
  });

  it('lists the stream files in a kustomization, sorted, with the namespace', () => {
    expect(kustomizationYaml(['b.yaml', 'a.yaml'], 'images')).toBe(
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: images\nresources:\n  - a.yaml\n  - b.yaml\n',
    );
  });
});

describe("export validates against OpenShift's own definitions, strictly", () => {
  it('passes every object exported from the example and test catalogs', () => {
    const root = join(import.meta.dirname, '..', '..');
    const files = [
      ...readdirSync(join(root, 'examples', 'catalogs')).map((f) => join(root, 'examples', 'catalogs', f)),
      ...readdirSync(join(root, 'test', 'fixtures', 'catalogs'))
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => join(root, 'test', 'fixtures', 'catalogs', f)),
      join(root, 'imagestreams.yaml'),
    ];
    let exported = 0;
    for (const file of files) {
      const catalog = parseCatalog(readFileSync(file, 'utf8'), file, { allowedPaths: ['/'] });
      for (const object of exportImageStreams(catalog, null).objects) {
        expect(imageStreamViolations(object), `${file}: ${object.metadata.name}`).toEqual([]);
        exported += 1;
      }
    }
    expect(exported).toBeGreaterThan(5);
  });

  it('refuses unknown fields and wrong types, naming the field', () => {
    const object = {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: 'x', colour: 'red' },
      spec: { tags: [{ name: 't', from: { kind: 'DockerImage', name: 'a' }, importPolicy: { scheduled: 'yes' } }] },
    };
    expect(imageStreamViolations(object)).toEqual([
      'metadata.colour: unknown field',
      'spec.tags[0].importPolicy.scheduled: must be boolean',
    ]);
  });
});
