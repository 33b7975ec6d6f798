import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/render/plan-text.js';
import { tempDir } from '../helpers/cli.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import type { GeneratedImage, ImageSpec } from '../helpers/images.js';
import { layoutIndex, localCatalog, pullEverything } from '../helpers/local-mirror.js';
import { platformOf } from '../helpers/upstream.js';
import { type CatalogSpec, insecure, Workspace } from '../helpers/workspace.js';

/** `prune` of an OCI layout store: history trimmed, then every blob nothing reachable names is deleted. */
const { registry, upstream } = useRegistry();
const work = new Workspace();
const versions: GeneratedImage[] = [];
const REPO = 'e2e/prune-layout';
const MULTI = (seed: string): ImageSpec => ({ platforms: ['linux/amd64', 'linux/arm64'], attestations: true, seed });
const LEFTOVER = '.tmp-0123456789ab-feedface';
const INDEX_LEFTOVER = '.index.json.0123456789ab.tmp';

function writeCatalog(withGone: boolean, referencePolicy = 'Local'): void {
  const from = `${registry.host}/${REPO}:multi`;
  const tags: CatalogSpec['streams'][string] = {
    all: { from, importMode: 'PreserveOriginal', scheduled: true, referencePolicy },
    arm: { from, preferPlatform: 'linux/arm64', referencePolicy },
  };
  if (withGone) tags.gone = { from, scheduled: true, referencePolicy: 'Local' };
  work.writeCatalog(localCatalog({ registries: insecure(registry.host), streams: { app: tags } }, { layout: 'store' }));
}

const blobsDir = () => work.file('store/app/blobs/sha256');

/** The files of the layout's `blobs/sha256` with their sizes. */
function files(): Map<string, number> {
  return new Map(readdirSync(blobsDir()).map((name) => [name, statSync(join(blobsDir(), name)).size]));
}

const hex = (digest: string) => digest.slice('sha256:'.length);

beforeAll(async () => {
  writeCatalog(true);
  for (const seed of ['v1', 'v2']) {
    versions.push(await upstream.push(REPO, 'multi', MULTI(seed)));
    await work.expectRun(['apply', '--auto-approve'], 0);
  }
  writeFileSync(join(blobsDir(), LEFTOVER), Buffer.alloc(1000));
  writeFileSync(work.file(`store/app/${INDEX_LEFTOVER}`), '{"schemaVersion":');
});

const PRUNE = ['prune', '--keep-tag-revisions=1', '--keep-younger-than=0s'];

describe('prune of an OCI layout store', () => {
  const v1 = () => versions[0]!;
  const v2 = () => versions[1]!;
  const pinnedChild = () => platformOf(v1(), 'linux/arm64');

  it('changes nothing without --confirm', async () => {
    const before = files();
    const state = work.stateBytes();
    const result = await work.expectRun(PRUNE, 0);
    expect(result.stdout).toContain(`  - oci:store/app@${v1().digest.slice(0, 19)}  list\n`);
    expect(result.stdout).toContain('  - oci:store/app: 2 files left by interrupted copies\n');
    expect(result.stdout).toContain('Nothing was changed: run with --confirm to prune.');
    expect(files()).toEqual(before);
    expect(work.stateBytes()).toEqual(state);
  });

  describe('with --confirm', () => {
    let before: Map<string, number>;
    let stdout: string;

    beforeAll(async () => {
      before = files();
      stdout = (await work.expectRun([...PRUNE, '--confirm'], 0)).stdout;
    });

    it('deletes the old list with what only it names, and the leftovers of interrupted copies', () => {
      const after = files();
      expect(after.has(hex(v1().digest))).toBe(false);
      expect(after.has(hex(platformOf(v1(), 'linux/amd64').digest))).toBe(false);
      expect(after.has(LEFTOVER)).toBe(false);
      expect(readdirSync(work.file('store/app')).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
    });

    it('keeps the child the pinned tag uses on its own, with its config and layers', () => {
      const after = files();
      for (const digest of [pinnedChild().digest, pinnedChild().configDigest, ...pinnedChild().layerDigests])
        expect(after.has(hex(digest))).toBe(true);
    });

    it('reports exactly the bytes it freed', () => {
      const after = files();
      const blobs = [...before].filter(([name]) => !after.has(name)).reduce((sum, [, size]) => sum + size, 0);
      const freed = blobs + '{"schemaVersion":'.length;
      expect(stdout).toContain(`(${formatBytes(freed)})`);
    });

    it('leaves a layout from which every tag can still be copied whole', async () => {
      for (const tag of ['all', 'arm', 'gone'])
        await pullEverything(`oci:${work.file('store/app')}:${tag}`, [], tempDir().path);
      expect(files().has(hex(v2().digest))).toBe(true);
    });
  });

  it('drops the index.json entry of a tag removed from the catalog, its image kept while a kept list names it', async () => {
    const goneDigest = work.state().streams.app!.tags.gone!.items[0]!.digest;
    writeCatalog(false);
    await work.expectRun(['apply', '--auto-approve'], 0);
    const result = await work.expectRun([...PRUNE, '--confirm'], 0);
    expect(result.stdout).toContain('  - oci:store/app:gone  (no such tag in the state)\n');
    const names = layoutIndex(work.file('store/app')).manifests.map(
      (m) => m.annotations?.['org.opencontainers.image.ref.name'],
    );
    expect(names.sort()).toEqual(['all', 'arm']);
    expect(goneDigest).toBe(platformOf(v2(), 'linux/amd64').digest);
    expect(files().has(hex(goneDigest))).toBe(true);
  });

  it('after its tags switch from Local to Source, deletes what no kept item is pulled from the store by', async () => {
    writeCatalog(false, 'Source');
    await work.expectRun(['apply', '--auto-approve'], 0);
    const tags = work.state().streams.app!.tags;
    expect(tags.all!.items.map((i) => i.dockerImageReference)).toEqual([`${registry.host}/${REPO}@${v2().digest}`]);
    const result = await work.expectRun([...PRUNE, '--confirm'], 0);
    for (const tag of ['all', 'arm'])
      expect(result.stdout).toContain(`  - oci:store/app:${tag}  (the tag is no longer Local)\n`);
    expect(layoutIndex(work.file('store/app')).manifests).toEqual([]);
    expect(files()).toEqual(new Map());
  });
});
