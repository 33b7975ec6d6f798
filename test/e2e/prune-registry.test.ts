import { beforeAll, describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/render/plan-text.js';
import { tempDir } from '../helpers/cli.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import type { GeneratedImage, ImageSpec } from '../helpers/images.js';
import { localCatalog, pullEverything, sourceFlags, writes } from '../helpers/local-mirror.js';
import { platformOf } from '../helpers/upstream.js';
import { type CatalogSpec, insecure, Workspace } from '../helpers/workspace.js';

/**
 * `prune` against a local registry: a PreserveOriginal tag that moved twice, and a pinned Legacy tag whose image is
 * a child of the oldest list. Deletes go through a proxy that counts them.
 */
const { registry: upstreamRegistry, upstream } = useRegistry();
const { registry: localRegistry, proxy: localProxy } = useRegistry({ faultProxy: true });
const work = new Workspace();
const versions: GeneratedImage[] = [];
const REPO = 'e2e/prune';
const MULTI = (seed: string): ImageSpec => ({
  platforms: ['linux/amd64', 'linux/arm64', 'linux/s390x'],
  attestations: true,
  seed,
});

const streams = (withArm: boolean, allPolicy: string): CatalogSpec['streams'] => {
  const from = `${upstreamRegistry.host}/${REPO}:multi`;
  const tags: CatalogSpec['streams'][string] = {
    all: { from, importMode: 'PreserveOriginal', scheduled: true, referencePolicy: allPolicy },
    src: { from, scheduled: true },
  };
  if (withArm) tags.arm = { from, preferPlatform: 'linux/arm64', referencePolicy: 'Local' };
  return { app: tags };
};

function writeCatalog(withArm: boolean, allPolicy = 'Local'): void {
  const registries = insecure(upstreamRegistry.host, localProxy.host);
  const spec = { registries, streams: streams(withArm, allPolicy) };
  work.writeCatalog(localCatalog(spec, { registry: `${localProxy.host}/mirror` }));
}

/** Whether the local registry still has the manifest `digest` (or the tag) in `mirror/app`. */
async function stored(digest: string): Promise<boolean> {
  const res = await fetch(`${localRegistry.url}/v2/mirror/app/manifests/${digest}`, {
    method: 'HEAD',
    headers: { accept: 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json' },
  });
  return res.status === 200;
}

/** Every manifest of a pushed version: the list, its images and their attestations. */
const manifestsOf = (image: GeneratedImage) => [
  image.digest,
  ...image.manifests.map((m) => m.digest),
  ...image.attestations.map((a) => a.digest),
];

beforeAll(async () => {
  writeCatalog(true);
  for (const seed of ['v1', 'v2', 'v3']) {
    versions.push(await upstream.push(REPO, 'multi', MULTI(seed)));
    await work.expectRun(['apply', '--auto-approve'], 0);
  }
});

const PRUNE = ['prune', '--keep-tag-revisions=1', '--keep-younger-than=0s'];

describe('prune of a local registry', () => {
  const v1 = () => versions[0]!;
  const v2 = () => versions[1]!;
  const v3 = () => versions[2]!;
  const pinnedChild = () => platformOf(v1(), 'linux/arm64').digest;

  it('keeps every item younger than 60 minutes by default: nothing to prune', async () => {
    const result = await work.expectRun(['prune'], 0);
    expect(result.stdout).toBe(
      "Would prune 0 items of 0 tags; would delete 0 manifests (up to 0 B for the registry's garbage collection). Nothing was changed: run with --confirm to prune.\n",
    );
  });

  describe('a dry run', () => {
    let stdout: string;
    let state: Buffer | undefined;

    beforeAll(async () => {
      state = work.stateBytes();
      localProxy.reset();
      stdout = (await work.expectRun(PRUNE, 0)).stdout;
    });

    it('lists the history items beyond the newest of each tag, current items never', () => {
      const all = work.state().streams.app!.tags.all!.items;
      expect(all.map((i) => i.digest)).toEqual([v3().digest, v2().digest, v1().digest]);
      expect(stdout).toContain(`  - app:all  ${v2().digest.slice(0, 19)}  ${all[1]!.created}\n`);
      expect(stdout).toContain(`  - app:all  ${v1().digest.slice(0, 19)}  ${all[2]!.created}\n`);
      expect(stdout).not.toContain('app:arm');
    });

    it('lists the old lists and their children, but not the child a pinned tag uses on its own', () => {
      const expected = [...manifestsOf(v1()), ...manifestsOf(v2())].filter((d) => d !== pinnedChild());
      for (const digest of expected) expect(stdout).toContain(`${localProxy.host}/mirror/app@${digest.slice(0, 19)}`);
      expect(stdout).not.toContain(pinnedChild().slice(0, 19));
      expect(stdout).toMatch(
        /Would prune 4 items of 2 tags; would delete 13 manifests \(up to [\d.]+ KiB for the registry's garbage collection\)\./,
      );
    });

    it('changes nothing: no state write, no request that writes, every manifest still there', async () => {
      expect(work.stateBytes()).toEqual(state);
      expect(writes(localProxy)).toEqual([]);
      for (const digest of [...manifestsOf(v1()), ...manifestsOf(v2())]) expect(await stored(digest)).toBe(true);
    });
  });

  describe('with --confirm', () => {
    let json: { confirmed: boolean; totals: { items: number; manifests: number; bytes: number } };

    beforeAll(async () => {
      localProxy.reset();
      json = JSON.parse((await work.expectRun([...PRUNE, '--confirm', '--json'], 0)).stdout);
    });

    it('trims the histories in the state, the current items kept', () => {
      const tags = work.state().streams.app!.tags;
      expect(tags.all!.items.map((i) => i.digest)).toEqual([v3().digest]);
      expect(tags.src!.items).toHaveLength(1);
      expect(tags.arm!.items.map((i) => i.digest)).toEqual([pinnedChild()]);
      expect(json).toMatchObject({ confirmed: true, totals: { items: 4, manifests: 13 } });
    });

    it('deletes the unreferenced lists before their children, and nothing else', async () => {
      const deletes = writes(localProxy);
      expect(deletes.every((r) => r.method === 'DELETE')).toBe(true);
      expect(deletes).toHaveLength(13);
      const lists = deletes.map((r) => [v1().digest, v2().digest].includes(r.path.split('/').at(-1)!));
      expect(lists.slice(0, 2)).toEqual([true, true]);
      for (const digest of [...manifestsOf(v1()), ...manifestsOf(v2())].filter((d) => d !== pinnedChild()))
        expect(await stored(digest)).toBe(false);
    });

    it('keeps the sub-manifest the pinned tag uses on its own, and the current images whole', async () => {
      expect(await stored(pinnedChild())).toBe(true);
      const flags = sourceFlags(localRegistry);
      await pullEverything(`docker://${localRegistry.host}/mirror/app:arm`, flags, tempDir().path);
      await pullEverything(`docker://${localRegistry.host}/mirror/app:all`, flags, tempDir().path);
    });

    it('finds nothing more to prune afterwards', async () => {
      const result = await work.expectRun([...PRUNE, '--confirm'], 0);
      expect(result.stdout).toBe(
        `Pruned 0 items of 0 tags; deleted 0 manifests (up to ${formatBytes(0)} for the registry's garbage collection).\n`,
      );
    });
  });

  describe('after a tag is removed from the catalog', () => {
    it('deletes the image only that tag used, and the tag goes with it', async () => {
      writeCatalog(false);
      await work.expectRun(['apply', '--auto-approve'], 0);
      const result = await work.expectRun([...PRUNE, '--confirm'], 0);
      expect(result.stdout).toContain(`  - ${localProxy.host}/mirror/app:arm  (no such tag in the state)\n`);
      expect(await stored(pinnedChild())).toBe(false);
      expect(await stored(v3().digest)).toBe(true);
    });
  });

  describe('after a tag switches from Local to Source', () => {
    let v4: GeneratedImage;

    beforeAll(async () => {
      v4 = await upstream.push(REPO, 'multi', MULTI('v4'));
      writeCatalog(false, 'Source');
      await work.expectRun(['apply', '--auto-approve'], 0);
    });

    it('records the new image pulled from the source, the local one still in its history', () => {
      const items = work.state().streams.app!.tags.all!.items;
      expect(items.map((i) => [i.digest, i.dockerImageReference])).toEqual([
        [v4.digest, `${upstreamRegistry.host}/${REPO}@${v4.digest}`],
        [v3().digest, `${localProxy.host}/mirror/app@${v3().digest}`],
      ]);
    });

    it('keeps its local image while a kept item is pulled from the store', async () => {
      localProxy.reset();
      await work.expectRun(['prune', '--keep-tag-revisions=2', '--keep-younger-than=0s', '--confirm'], 0);
      expect(writes(localProxy)).toEqual([]);
      expect(await stored(v3().digest)).toBe(true);
    });

    it('deletes that image, and the local tag with it, once no kept item needs it', async () => {
      const result = await work.expectRun([...PRUNE, '--confirm'], 0);
      expect(result.stdout).toContain(`  - ${localProxy.host}/mirror/app:all  (the tag is no longer Local)\n`);
      for (const digest of manifestsOf(v3())) expect(await stored(digest)).toBe(false);
      expect(await stored('all')).toBe(false);
    });
  });
});
