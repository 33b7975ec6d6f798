import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { State } from '../../src/core/state-model.js';
import type { ImageStreamObject } from '../../src/openshift/image-stream-types.js';
import { imageStreamViolations } from '../../src/openshift/strict-validation.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { runSkopeo } from '../helpers/skopeo.js';
import { insecure, Workspace } from '../helpers/workspace.js';

const { registry, upstream } = useRegistry();
const team = new Workspace('imagestreams-export-');
let host: string;

function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function documents(yaml: string): ImageStreamObject[] {
  return parseAllDocuments(yaml).map((d) => d.toJS() as ImageStreamObject);
}

/** What `oc get is -o json` prints once a cluster imported the exported streams: the spec, and the state as status. */
function clusterList(objects: ImageStreamObject[], state: State): string {
  const items = objects.map((object) => {
    const tags = Object.entries(state.streams[object.metadata.name]?.tags ?? {}).map(([tag, recorded]) => ({
      tag,
      items: recorded.items.map((item) => ({
        created: item.created,
        dockerImageReference: item.dockerImageReference,
        image: item.digest,
        generation: item.generation,
      })),
    }));
    return {
      ...object,
      metadata: { ...object.metadata, namespace: 'images', uid: 'u-1', resourceVersion: '42', creationTimestamp: null },
      status: { dockerImageRepository: `image-registry.svc:5000/images/${object.metadata.name}`, tags },
    };
  });
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 2);
}

beforeAll(async () => {
  host = registry.host;
  await upstream.push('team/app', '1', { platforms: ['linux/amd64', 'linux/arm64'] });
  await upstream.push('team/app', '2', { platforms: ['linux/amd64'] });
  await upstream.push('team/base', 'latest', { platforms: ['linux/amd64', 'linux/arm64'] });
  team.writeCatalog(`apiVersion: imagestreams/v1
kind: Catalog
registries: ${JSON.stringify(insecure(host))}
streams:
  app:
    labels: { team: payments }
    tags:
      "1": { from: "${host}/team/app:1", importMode: PreserveOriginal }
      "2": { from: "${host}/team/app:2", scheduled: true }
  base:
    annotations: { openshift.io/display-name: Base image }
    lookupPolicy: { local: true }
    tags:
      latest: { from: "${host}/team/base:latest", preferPlatform: linux/arm64 }
      mirror: { from: "${host}/team/base:latest", referencePolicy: Local }
  prod:
    tags:
      app: { from: "app:2" }
      mirrored: { from: "app:1", referencePolicy: Local }
`);
  await team.expectRun(['apply', '--auto-approve'], 0);
}, 120_000);

describe('a Local tag that follows another', () => {
  it('is mirrored into its own repository of the local store and pulled from there', async () => {
    const followed = team.state().streams.app!.tags['1']!.items[0]!;
    const item = team.state().streams.prod!.tags.mirrored!.items[0]!;
    expect(item.digest).toBe(followed.digest);
    expect(item.sourceImageReference).toBe(followed.dockerImageReference);
    expect(item.dockerImageReference).toBe(`oci:.imagestreams/store/prod@${followed.digest}`);
    const stored = await runSkopeo(['inspect', '--raw', `oci:${team.file('.imagestreams/store/prod')}:mirrored`]);
    expect(sha256Digest(stored)).toBe(followed.digest);
  });
});

describe('export → a cluster → adopt: the catalog comes back and plans clean', () => {
  let exported: ImageStreamObject[];
  const adopted = new Workspace('imagestreams-adopt-');

  it('exports strictly valid ImageStreams, pinned tags by the digest applied, scheduled ones by their tag', async () => {
    const result = await team.expectRun(['export', '--namespace', 'images'], 0);
    exported = documents(result.stdout);
    for (const object of exported) expect(imageStreamViolations(object)).toEqual([]);
    const appState = team.state().streams.app!.tags['1']!;
    const [app] = exported;
    expect(app?.spec.tags.map((t) => t.from?.name)).toEqual([
      `${host}/team/app@${appState.items[0]!.sourceDigest}`,
      `${host}/team/app:2`,
    ]);
    const [, base, prod] = exported;
    expect(base?.spec.tags[1]?.referencePolicy).toEqual({ type: 'Local' });
    expect(prod?.spec.tags[0]?.from).toEqual({ kind: 'ImageStreamTag', name: 'app:2' });
    expect(prod?.spec.tags[1]).toMatchObject({
      from: { kind: 'ImageStreamTag', name: 'app:1' },
      referencePolicy: { type: 'Local' },
    });
    expect(result.stderr).toBe('');
  });

  it('adopts what the cluster holds into an empty directory: catalog, history, and the Local tag mirrored', async () => {
    writeFileSync(adopted.file('is.json'), clusterList(exported, team.state()));
    const result = await adopted.expectRun(['adopt', 'is.json'], 0);
    expect(result.stdout).toBe(
      'Adopted 3 image streams into imagestreams.yaml (created).\nRecorded the history of 6 tags in the state.\n',
    );
    const namespace = (stream: string) =>
      `warning: ${stream}: metadata.namespace: the catalog names no namespace: \`export --namespace\` sets one\n`;
    expect(result.stderr).toBe(`${namespace('app')}${namespace('base')}${namespace('prod')}`);
  });

  it('plans no changes against the registry that holds the same images', async () => {
    const plan = await adopted.expectRun(['plan', '--detailed-exitcode'], 0);
    expect(plan.stdout).toBe('No changes. 6 tags up to date.\n');
  });

  it('holds the Local tag in the local store, recorded with the local pull spec as apply records it', () => {
    const item = adopted.state().streams.base!.tags.mirror!.items[0]!;
    const original = team.state().streams.base!.tags.mirror!.items[0]!;
    expect(item.digest).toBe(original.digest);
    expect(item.dockerImageReference).toBe(original.dockerImageReference);
    expect(item.sourceImageReference).toBe(original.sourceImageReference);
  });

  it('records the same images the original state holds', () => {
    const original = team.state();
    const state = adopted.state();
    for (const [stream, tag] of [
      ['app', '1'],
      ['app', '2'],
      ['base', 'latest'],
      ['base', 'mirror'],
      ['prod', 'app'],
      ['prod', 'mirrored'],
    ] as const) {
      const a = original.streams[stream]!.tags[tag]!.items[0]!;
      const b = state.streams[stream]!.tags[tag]!.items[0]!;
      expect({ ...b, created: a.created }).toEqual(a);
    }
  });

  it('exports again exactly what was adopted', async () => {
    const again = await adopted.expectRun(['export', '--namespace', 'images'], 0);
    expect(documents(again.stdout)).toEqual(exported);
  });

  it('writes one file a stream and a kustomization with --split', async () => {
    const result = await team.expectRun(['export', '-o', 'cluster', '--split', '--namespace', 'images'], 0);
    expect(result.stderr).toBe('Wrote 4 files to cluster\n');
    const kustomization = documents(
      (await import('node:fs')).readFileSync(team.file('cluster/kustomization.yaml'), 'utf8'),
    );
    expect(kustomization[0]).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      namespace: 'images',
      resources: ['app.yaml', 'base.yaml', 'prod.yaml'],
    });
  });
});

describe('adopt refuses bad input and changes nothing', () => {
  const work = new Workspace('imagestreams-adopt-bad-');

  it.each([
    ['malformed YAML', 'kind: [ImageStream\n', /is\.yaml:2:1: not valid YAML or JSON/],
    [
      'an ImageStream without a name',
      'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata: {}\n',
      /ImageStream.*metadata.*name/,
    ],
    [
      'an unknown field',
      'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata: {name: x}\nspec: {tagz: []}\n',
      /ImageStream "x" is not valid: spec\.tagz: unknown field/,
    ],
    [
      'a label key holding NUL, shown escaped',
      '{"apiVersion": "image.openshift.io/v1", "kind": "ImageStream", "metadata": {"name": "x", "labels": {"team\\u0000": "a"}}}',
      /ImageStream "x" is not valid: metadata\.labels\["team\\u0000"\]: not a label key Kubernetes accepts: the name is not letters/,
    ],
    [
      'an annotation key holding a line break, shown escaped',
      'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: x\n  annotations: {"note\\nforged: line": a}\n',
      /ImageStream "x" is not valid: metadata\.annotations\["note\\nforged: line"\]: not an annotation key Kubernetes accepts/,
    ],
  ])('%s: exit 1, no catalog, no state', async (_, text, message) => {
    writeFileSync(work.file('is.yaml'), text);
    const result = await work.expectRun(['adopt', 'is.yaml'], 1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain('\0');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(work.stateBytes()).toBeUndefined();
    expect((await import('node:fs')).existsSync(work.catalogPath)).toBe(false);
  });

  it('refuses a stream the catalog already has unless --replace', async () => {
    work.writeCatalog({ streams: { x: { t: { from: 'quay.io/a/b:1' } } } });
    const before = readFileSync(work.catalogPath, 'utf8');
    writeFileSync(
      work.file('is.yaml'),
      'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata: {name: x}\nspec: {tags: []}\n',
    );
    const refused = await work.expectRun(['adopt', 'is.yaml'], 1);
    expect(refused.stderr).toContain(
      'imagestreams.yaml already has the stream "x": pass --replace to replace it (nothing was written)',
    );
    expect(readFileSync(work.catalogPath, 'utf8')).toBe(before);
    await work.expectRun(['adopt', 'is.yaml', '--replace'], 0);
    expect(readFileSync(work.catalogPath, 'utf8')).toContain('  x:\n    tags: {}');
  });
});

describe('export stops on labels and annotations the API server would refuse', () => {
  const work = new Workspace('imagestreams-export-refused-');

  it('says where each is written, exits 1 and writes nothing', async () => {
    work.writeCatalog(`apiVersion: imagestreams/v1
kind: Catalog
streams:
  x:
    labels: { a b: c }
    tags:
      t: { from: quay.io/a/b:1 }
`);
    const result = await work.expectRun(['export', '-o', 'out.yaml'], 1);
    expect(result.stderr).toMatch(
      /^imagestreams\.yaml:5:15: error: "a b" in streams\.x\.labels: not a label key Kubernetes accepts: .*; an exported ImageStream would be refused\n$/,
    );
    expect((await import('node:fs')).existsSync(work.file('out.yaml'))).toBe(false);
  });
});

describe('adopt --replace keeps what an ImageStream cannot carry', () => {
  const work = new Workspace('imagestreams-adopt-replace-');

  it("rewrites the stream's tags from the cluster and keeps its update policy and a tag's scheduleInterval", async () => {
    work.writeCatalog(`apiVersion: imagestreams/v1
kind: Catalog
streams:
  db:
    update: { policy: minor } # 16.x only
    tags:
      "16":
        from: docker.io/library/postgres:16.2
        scheduleInterval: 1h # checked hourly
      old:
        from: docker.io/library/postgres:15
`);
    writeFileSync(
      work.file('is.yaml'),
      `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata: {name: db, namespace: images}
spec:
  tags:
  - name: "16"
    from: {kind: DockerImage, name: docker.io/library/postgres:16.4}
`,
    );
    await work.expectRun(['adopt', 'is.yaml', '--replace'], 0);
    expect(readFileSync(work.catalogPath, 'utf8')).toBe(`apiVersion: imagestreams/v1
kind: Catalog
streams:
  db:
    update: { policy: minor } # 16.x only
    tags:
      "16":
        from: docker.io/library/postgres:16.4
        scheduleInterval: 1h # checked hourly
`);
  });
});
