import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GeneratedLayout } from '../helpers/images.js';
import { Workspace } from '../helpers/workspace.js';
import { expectRefused, expectWithinMemory, runOnHostileInput } from './support/hostile.js';
import {
  applyOneGoodTag,
  blobPath,
  copyLayout,
  OCI_CONFIG,
  OCI_INDEX,
  OCI_MANIFEST,
  REF_NAME,
  tagged,
  writeBlob,
  writeLayoutIndex,
} from './support/layout-files.js';
import { treeSnapshot } from './support/no-change.js';
import { tally } from './support/run-context.js';

const workspace = new Workspace('imagestreams-hostile-layouts-');
let good: GeneratedLayout;

/** The state holds one good tag, so that "nothing written" covers an existing state. */
beforeAll(async () => {
  good = await applyOneGoodTag(workspace);
});

const single = () => good.tags.single!.manifests[0]!;

/** An image manifest with the good single image's config and no layers, plus `extra` fields. */
function imageManifest(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const image = single();
  return {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: image.configDigest, size: 0 },
    layers: [],
    ...extra,
  };
}

/** A copy of the good layout whose index.json lists only `entries`. */
function layoutListing(dir: string, entries: (dir: string) => object[]): void {
  copyLayout(good.dir, dir);
  writeLayoutIndex(dir, entries(dir));
}

function blobTagged(dir: string, content: Buffer | string | object, mediaType = OCI_MANIFEST) {
  return tagged({ mediaType, ...writeBlob(dir, content) }, 'bad');
}

const TRAVERSAL = 'sha256:../../../../../../etc/passwd';

/** A hostile layout: how to write it at `dir`, and what the error must say. */
type HostileLayout = [name: string, write: (dir: string) => void, message: RegExp];

const HOSTILE_LAYOUTS: HostileLayout[] = [
  [
    'a 10 MB manifest',
    (dir) => layoutListing(dir, (d) => [blobTagged(d, imageManifest({ annotations: { pad: 'x'.repeat(10 << 20) } }))]),
    /manifest oci:\S+@sha256:[0-9a-f]{64} is 104\d{5} bytes, over the 4194304-byte limit; refused/,
  ],
  [
    'a 10 MB index.json',
    (dir) =>
      layoutListing(dir, () => [
        {
          ...tagged(good.tags.single!, 'bad'),
          annotations: { pad: 'x'.repeat(10 << 20), [REF_NAME]: 'bad' },
        },
      ]),
    /index\.json is 104\d{5} bytes, over the 4194304-byte limit; refused/,
  ],
  [
    'a manifest whose bytes do not match its digest',
    (dir) => {
      layoutListing(dir, () => [tagged(good.tags.single!, 'bad')]);
      const path = blobPath(dir, single().digest);
      writeFileSync(path, JSON.stringify(imageManifest()).padEnd(single().size));
    },
    /content digest sha256:[0-9a-f]{64} does not match the expected sha256:[0-9a-f]{64}/,
  ],
  [
    'a config whose bytes do not match its digest',
    (dir) => {
      layoutListing(dir, () => [tagged(good.tags.single!, 'bad')]);
      writeFileSync(blobPath(dir, single().configDigest), '{"architecture":"amd64","os":"linux"}');
    },
    /content digest sha256:[0-9a-f]{64} does not match the expected sha256:[0-9a-f]{64}/,
  ],
  [
    'index.json naming a path that climbs out of the layout',
    (dir) => layoutListing(dir, () => [tagged({ digest: TRAVERSAL, size: 100 }, 'bad')]),
    /index\.json manifests\[0\] has an invalid digest/,
  ],
  [
    'index.json naming an absolute path',
    (dir) => layoutListing(dir, () => [tagged({ digest: 'sha256:/etc/passwd', size: 100 }, 'bad')]),
    /index\.json manifests\[0\] has an invalid digest/,
  ],
  [
    'index.json naming a path as the algorithm',
    (dir) => layoutListing(dir, () => [tagged({ digest: `../../../../etc:${'0'.repeat(64)}`, size: 100 }, 'bad')]),
    /index\.json manifests\[0\] has an invalid digest/,
  ],
  [
    'an index whose child climbs out of the layout',
    (dir) =>
      layoutListing(dir, (d) => [
        blobTagged(
          d,
          {
            schemaVersion: 2,
            mediaType: OCI_INDEX,
            manifests: [
              {
                mediaType: OCI_MANIFEST,
                digest: TRAVERSAL,
                size: 10,
                platform: { os: 'linux', architecture: 'amd64' },
              },
            ],
          },
          OCI_INDEX,
        ),
      ]),
    /manifests\[0\] has an invalid digest/,
  ],
  [
    'a manifest whose config climbs out of the layout',
    (dir) =>
      layoutListing(dir, (d) => [
        blobTagged(d, imageManifest({ config: { mediaType: OCI_CONFIG, digest: TRAVERSAL, size: 10 } })),
      ]),
    /config has an invalid digest/,
  ],
  [
    'a manifest nested a million levels deep',
    (dir) =>
      layoutListing(dir, (d) => [
        blobTagged(
          d,
          `{"schemaVersion":2,"mediaType":"${OCI_MANIFEST}","layers":[],"annotations":{"a":${'['.repeat(1e6)}${']'.repeat(1e6)}}}`,
        ),
      ]),
    /annotations must map strings to strings/,
  ],
  [
    'a descriptor of impossible size',
    (dir) => layoutListing(dir, () => [{ ...tagged(good.tags.single!, 'bad'), size: 1e300 }]),
    /index\.json manifests\[0\] has an invalid size/,
  ],
  [
    'a Docker schema 1 manifest',
    (dir) => layoutListing(dir, (d) => [blobTagged(d, { schemaVersion: 1, name: 'x', tag: 'bad', fsLayers: [] })]),
    /Docker schema 1 manifest, which is deprecated and not supported/,
  ],
  [
    'a document that is both an index and an image',
    (dir) => layoutListing(dir, (d) => [blobTagged(d, imageManifest({ manifests: [] }))]),
    /has both "manifests" and "layers"\/"config": ambiguous document refused/,
  ],
  [
    'a manifest blob that links to /dev/zero',
    (dir) => {
      layoutListing(dir, () => [tagged(good.tags.single!, 'bad')]);
      rmSync(blobPath(dir, single().digest));
      symlinkSync('/dev/zero', blobPath(dir, single().digest));
    },
    /sha256:[0-9a-f]{12}/,
  ],
  [
    'a manifest blob that is a FIFO',
    (dir) => {
      layoutListing(dir, () => [tagged(good.tags.single!, 'bad')]);
      rmSync(blobPath(dir, single().digest));
      execFileSync('mkfifo', [blobPath(dir, single().digest)]);
    },
    /sha256:[0-9a-f]{12}/,
  ],
  [
    'an index.json that links to /dev/zero',
    (dir) => {
      layoutListing(dir, () => []);
      rmSync(join(dir, 'index.json'));
      symlinkSync('/dev/zero', join(dir, 'index.json'));
    },
    /index\.json/,
  ],
];

describe('a hostile OCI layout: plan and apply refuse it with a clear error, in bounded memory, writing nothing', () => {
  it.each(HOSTILE_LAYOUTS)('%s', async (name, write, message) => {
    const layout = `hostile/${name.replace(/\W+/g, '-')}`;
    mkdirSync(join(workspace.dir, 'hostile'), { recursive: true });
    write(join(workspace.dir, layout));
    tally({ inputs: 1 });
    workspace.writeCatalog({
      streams: { ok: { multi: { from: 'oci:good:multi' } }, hostile: { bad: { from: `oci:${layout}:bad` } } },
    });
    const before = treeSnapshot(workspace.dir);
    for (const args of [['plan'], ['apply', '--auto-approve']]) {
      expectRefused(await runOnHostileInput(args, workspace.dir), message);
      expect(treeSnapshot(workspace.dir)).toEqual(before);
    }
  });
});

describe('a valid index with 10,000 children', () => {
  const CHILDREN = 10_000;

  /** 10,000 distinct image manifests (one per made-up architecture, linux/amd64 last), sharing one config. */
  function writeWideIndex(dir: string): void {
    copyLayout(good.dir, dir);
    const image = single();
    const config = {
      mediaType: OCI_CONFIG,
      digest: image.configDigest,
      size: statSync(blobPath(dir, image.configDigest)).size,
    };
    const children = Array.from({ length: CHILDREN }, (_, i) => {
      const architecture = i === CHILDREN - 1 ? 'amd64' : `arch${i}`;
      const manifest = {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config,
        layers: [],
        annotations: { child: String(i) },
      };
      return { mediaType: OCI_MANIFEST, ...writeBlob(dir, manifest), platform: { os: 'linux', architecture } };
    });
    const index = writeBlob(dir, { schemaVersion: 2, mediaType: OCI_INDEX, manifests: children });
    writeLayoutIndex(dir, [tagged({ mediaType: OCI_INDEX, ...index }, 'wide')]);
  }

  it('is planned and imported in bounded memory: every child with PreserveOriginal, linux/amd64 with Legacy', async () => {
    writeWideIndex(join(workspace.dir, 'wide'));
    tally({ inputs: 1 });
    workspace.writeCatalog({
      streams: {
        ok: { multi: { from: 'oci:good:multi' } },
        wide: {
          all: { from: 'oci:wide:wide', importMode: 'PreserveOriginal' },
          one: { from: 'oci:wide:wide', importMode: 'Legacy' },
        },
      },
    });
    const plan = await runOnHostileInput(['plan'], workspace.dir);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/Plan: 2 to import, 0 to re-import, 0 to remove\. 1 unchanged\./);
    expectWithinMemory(plan);

    const apply = await runOnHostileInput(['apply', '--auto-approve'], workspace.dir);
    expect(apply.code, apply.stderr).toBe(0);
    expectWithinMemory(apply);
    const tags = workspace.state().streams.wide!.tags;
    expect(tags.all!.items[0]!.manifests).toHaveLength(CHILDREN);
    expect(tags.one!.items[0]!.manifests.map((m) => m.platform)).toEqual(['linux/amd64']);

    const again = await runOnHostileInput(['plan', '--detailed-exitcode'], workspace.dir);
    expect(again.code, again.stderr).toBe(0);
    expectWithinMemory(again);
  });
});
