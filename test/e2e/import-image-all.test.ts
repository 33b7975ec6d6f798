import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { type GeneratedImage, writeImageLayout } from '../helpers/images.js';
import { fillWithTags, numberedTags } from '../helpers/many-tags.js';
import { Workspace } from '../helpers/workspace.js';

const { registry, upstream } = useRegistry({ quiet: true });

/** Versions of every kind OpenShift orders, and more plain tags than its limit of 50 leaves room for. */
const VERSIONS = ['1.9', '1.10', 'v1.10', '2.0', '2.0-rc1', '1.10.1', 'v2.0.0', '2.0.0-beta.2', '2.0.0-beta.10'];
const BUILDS = numberedTags(50, (i) => `build-${String(i).padStart(3, '0')}`);
/** The order OpenShift's importer takes them in: latest, minor versions, full versions (newest first), the rest. */
const OPENSHIFT_ORDER = [
  'latest',
  '2.0',
  '2.0-rc1',
  '1.10',
  'v1.10',
  '1.9',
  'v2.0.0',
  '2.0.0-beta.10',
  '2.0.0-beta.2',
  '1.10.1',
  'alpine',
  ...BUILDS,
  'edge',
];
let image: GeneratedImage;
let repo: string;

beforeAll(async () => {
  image = await fillWithTags(upstream, 'team/lots', ['edge', ...BUILDS, 'alpine', ...VERSIONS, 'latest']);
  repo = `${registry.host}/team/lots`;
}, 180_000);

/** A workspace whose catalog makes the test registry insecure and holds `streams` (YAML lines under `streams:`). */
function workspace(streams = ''): Workspace {
  const ws = new Workspace('imagestreams-import-all-');
  const body = streams ? `\n${streams}` : ' {}\n';
  ws.writeCatalog(
    `apiVersion: imagestreams/v1\nkind: Catalog\nregistries:\n  "${registry.host}":\n    insecure: true\nstreams:${body}`,
  );
  return ws;
}

const catalogOf = (ws: Workspace) => readFileSync(ws.catalogPath, 'utf8');

/** The stream's tags as the catalog lists them: name → source. */
function catalogTags(ws: Workspace, stream: string): Record<string, string> {
  const tags = (parse(catalogOf(ws)) as { streams: Record<string, { tags: Record<string, { from: string }> }> })
    .streams[stream]!.tags;
  return Object.fromEntries(Object.entries(tags).map(([name, tag]) => [name, tag.from]));
}

describe('import-image --all on a repository with more tags than the limit, as oc', () => {
  it("imports OpenShift's first 50 tags in its order, writes them as tags of the stream, and names the rest", async () => {
    const ws = workspace('  keep:\n    tags:\n      "1": { from: "quay.io/org/keep:1" }\n');
    const result = await ws.run(['import-image', 'lots', `--from=${repo}`, '--all', '--confirm']);
    expect(result.code, result.stderr).toBe(0);
    const imported = OPENSHIFT_ORDER.slice(0, 50);
    const left = OPENSHIFT_ORDER.slice(50);
    expect(catalogTags(ws, 'lots')).toEqual(Object.fromEntries(imported.map((t) => [t, `${repo}:${t}`])));
    expect(Object.keys(catalogTags(ws, 'lots'))).toEqual(imported);
    expect(catalogTags(ws, 'keep')).toEqual({ '1': 'quay.io/org/keep:1' });
    const tags = ws.state().streams.lots!.tags;
    expect(Object.keys(tags).sort()).toEqual([...imported].sort());
    expect(Object.values(tags).every((t) => t.items[0]!.digest === image.digest)).toBe(true);
    expect(result.stdout).toMatch(/^imagestream\/lots imported\n\nName: +lots\n/);
    expect(result.stdout).toContain(
      `\ninfo: The remote repository contained ${left.length} additional tags which were not imported: ${left.join(', ')}\n`,
    );
  }, 120_000);

  it('takes as many tags as --max-tags says, in the same order', async () => {
    const ws = workspace();
    const result = await ws.run(['import-image', 'lots', `--from=${repo}`, '--all', '--max-tags=3', '--confirm']);
    expect(result.code, result.stderr).toBe(0);
    expect(Object.keys(catalogTags(ws, 'lots'))).toEqual(['latest', '2.0', '2.0-rc1']);
    expect(result.stdout).toContain(
      `info: The remote repository contained ${OPENSHIFT_ORDER.length - 3} additional tags which were not imported: ${OPENSHIFT_ORDER.slice(3).join(', ')}\n`,
    );
  });

  it('gives an existing tag of the stream the repository as its source, as OpenShift does', async () => {
    const ws = workspace(
      `  lots:\n    tags:\n      # ours\n      latest:\n        from: quay.io/org/other:1\n        scheduled: true\n`,
    );
    const result = await ws.run(['import-image', 'lots', `--from=${repo}`, '--all', '--max-tags=2', '--confirm']);
    expect(result.code, result.stderr).toBe(0);
    expect(catalogOf(ws)).toContain(
      `      # ours\n      latest:\n        from: ${repo}:latest\n        scheduled: false\n`,
    );
    expect(Object.keys(catalogTags(ws, 'lots'))).toEqual(['latest', '2.0']);
  });

  it('imports a repository tag over a tag that followed another, as OpenShift does, and says so', async () => {
    const ws = workspace(
      `  other:\n    tags:\n      "1": { from: "${repo}:edge" }\n  lots:\n    tags:\n      # the newest minor version\n      latest:\n        from: { kind: ImageStreamTag, name: "2.0" }\n        scheduleInterval: 1h\n      "2.0": { from: "other:1" }\n`,
    );
    const result = await ws.run(['import-image', 'lots', `--from=${repo}`, '--all', '--max-tags=2', '--confirm']);
    expect(result.code, result.stderr).toBe(0);
    expect(catalogOf(ws)).toContain(
      `      # the newest minor version\n      latest:\n        from: ${repo}:latest\n        scheduleInterval: 1h\n      "2.0": { from: "${repo}:2.0" }\n`,
    );
    expect(result.stderr).toContain(
      `lots:latest no longer follows lots:2.0: it imports ${repo}:latest, as OpenShift's repository import replaces each tag it imports\n` +
        `lots:2.0 no longer follows other:1: it imports ${repo}:2.0, as OpenShift's repository import replaces each tag it imports\n`,
    );
    const tags = ws.state().streams.lots!.tags;
    expect(Object.keys(tags).sort()).toEqual(['2.0', 'latest']);
    expect(tags.latest!.items[0]!.dockerImageReference).toBe(`${repo}@${image.digest}`);
  });

  it('with --dry-run, prints the catalog edit and the tags it would import, writing nothing', async () => {
    const ws = workspace();
    const before = catalogOf(ws);
    const result = await ws.run(['import-image', 'lots', `--from=${repo}`, '--all', '--max-tags=2', '--dry-run']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      `+streams:\n+  lots:\n+    tags:\n+      latest:\n+        from: ${repo}:latest\n+      "2.0":\n+        from: ${repo}:2.0\n\n`,
    );
    expect(result.stdout).toContain('imagestream/lots imported (dry run)\n');
    expect(result.stdout).toContain('which were not imported: 2.0-rc1, 1.10,');
    expect(catalogOf(ws)).toBe(before);
    expect(ws.stateBytes()).toBeUndefined();
  });

  it('imports the tags of an OCI image layout, each as oci:PATH:TAG', async () => {
    const ws = workspace();
    writeImageLayout(join(ws.dir, 'images'), {
      tags: {
        '1.0': { platforms: ['linux/amd64'] },
        '1.1': { platforms: ['linux/amd64'] },
        dev: { platforms: ['linux/amd64'] },
      },
    });
    const result = await ws.run(['import-image', 'local', '--from=oci:images', '--all', '--max-tags=2', '--confirm']);
    expect(result.code, result.stderr).toBe(0);
    expect(catalogTags(ws, 'local')).toEqual({ '1.1': 'oci:images:1.1', '1.0': 'oci:images:1.0' });
    expect(Object.keys(ws.state().streams.local!.tags).sort()).toEqual(['1.0', '1.1']);
    expect(result.stdout).toContain(
      'info: The remote repository contained 1 additional tags which were not imported: dev\n',
    );
  });

  it('imports the stream’s own tags again without --from', async () => {
    const ws = workspace(
      `  lots:\n    tags:\n      edge: { from: "${repo}:edge" }\n      "1.9": { from: "${repo}:1.9" }\n`,
    );
    const before = catalogOf(ws);
    const result = await ws.run(['import-image', 'lots', '--all']);
    expect(result.code, result.stderr).toBe(0);
    expect(catalogOf(ws)).toBe(before);
    expect(Object.keys(ws.state().streams.lots!.tags).sort()).toEqual(['1.9', 'edge']);
    expect(result.stdout).not.toContain('additional tags');
  });
});

describe('import-image --all refuses, as oc, writing nothing', () => {
  const existing = `  lots:\n    tags:\n      edge: { from: "${'HOST'}/team/lots:edge" }\n  follower:\n    tags:\n      a: { from: "lots:edge" }\n`;
  it.each([
    [
      'a tag with --all',
      ['lots:edge', '--from=REPO', '--all', '--confirm'],
      'error: cannot specify a tag "lots:edge" as well as --all\n',
    ],
    [
      'a tag in --from',
      ['lots', '--from=REPO:1.9', '--all', '--confirm'],
      'error: --from "REPO:1.9": you must specify an image repository, not a tag or ID\n',
    ],
    [
      'a new stream without --confirm',
      ['fresh', '--from=REPO', '--all'],
      'error: no image stream named "fresh" exists, pass --confirm to create and import (nothing was written)\n',
    ],
    [
      'a new repository for an existing stream without --confirm',
      ['lots', '--from=REPO', '--all'],
      'error: the image stream does not currently import an entire Docker repository, pass --confirm to update (nothing was written)\n',
    ],
    [
      'a stream without tags naming an image, without --from',
      ['follower', '--all'],
      'error: image stream does not have tags pointing to external container images\n',
    ],
    ['--max-tags without --all', ['lots', '--max-tags=3'], 'error: --max-tags applies only with --all\n'],
  ])('%s', async (_name, args, message) => {
    const ws = workspace(existing.replaceAll('HOST', registry.host));
    const before = catalogOf(ws);
    const result = await ws.run(['import-image', ...args.map((a) => a.replaceAll('REPO', repo))]);
    expect(result.stderr).toBe(message.replaceAll('REPO', repo));
    expect(result.code).toBe(1);
    expect(catalogOf(ws)).toBe(before);
    expect(ws.stateBytes()).toBeUndefined();
  });
});
