import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/core/catalog.js';
import { OCI_INDEX, OCI_MANIFEST } from '../../src/core/media-types.js';
import type { State, TagItem } from '../../src/core/state-model.js';
import { type LocalStore, localStore } from '../../src/engine/local-store.js';
import { mirrorImage } from '../../src/engine/mirror/mirror.js';
import { type PrunePlan, planPrune } from '../../src/engine/prune/prune.js';
import { applyStorePrune } from '../../src/engine/prune/store.js';
import { LayoutRepository } from '../../src/registry/layout/layout-repository.js';
import { tempDir } from '../helpers/cli.js';
import { type GeneratedImage, writeImageLayout } from '../helpers/images.js';

/** Prune of a layout store: which manifests and blobs go once histories are trimmed. */
const work = tempDir().path;
const sourceDir = join(work, 'source');
const storeDir = join(work, 'store');
let v1: GeneratedImage;
let v2: GeneratedImage;
let store: LocalStore;
let state: State;
const LEFTOVER = '.tmp-0123456789ab-0000';
const INDEX_LEFTOVER = '.index.json.0123456789ab.tmp';

const catalog = { path: join(work, 'imagestreams.yaml'), local: { layout: storeDir } } as Catalog;
const noRegistry = () => {
  throw new Error('a layout store opens no registry');
};

function item(image: { digest: string }, manifests: TagItem['manifests'], generation: number): TagItem {
  return {
    created: '2026-11-01T00:00:00.000Z',
    generation,
    digest: image.digest,
    mediaType: manifests.length > 1 ? OCI_INDEX : OCI_MANIFEST,
    dockerImageReference: store.open('app').pullSpec(image.digest),
    sourceDigest: image.digest,
    manifests,
  };
}

const children = (image: GeneratedImage): TagItem['manifests'] => [
  ...image.manifests.map((m) => ({ platform: m.platform, digest: m.digest, mediaType: m.mediaType, size: m.size })),
  ...image.attestations.map((a) => ({
    platform: 'unknown/unknown',
    digest: a.digest,
    mediaType: a.mediaType,
    size: a.size,
    attestation: true as const,
  })),
];

const spec = (importMode: 'Legacy' | 'PreserveOriginal') => ({
  from: 'oci:source:multi',
  importMode,
  referencePolicy: 'Local' as const,
  scheduled: true,
  insecure: false,
  preferPlatform: null,
});

const files = () => readdirSync(join(storeDir, 'app', 'blobs', 'sha256'));
const arm = () => v1.platforms['linux/arm64']!;

beforeAll(async () => {
  const platforms = ['linux/amd64', 'linux/arm64'];
  v1 = writeImageLayout(sourceDir, { tags: { v1: { platforms, attestations: true, seed: 'v1' } } }).tags.v1!;
  v2 = writeImageLayout(sourceDir, { tags: { v2: { platforms, attestations: true, seed: 'v2' } } }).tags.v2!;
  store = localStore(catalog, noRegistry)!;
  const source = new LayoutRepository(sourceDir, 'source');
  const transfers = store.transfers;
  await mirrorImage(source, store.open('app'), { digest: v1.digest, tag: 'all' }, transfers);
  await mirrorImage(source, store.open('app'), { digest: arm().digest, tag: 'arm' }, transfers);
  await mirrorImage(source, store.open('app'), { digest: v2.digest, tag: 'all' }, transfers);
  writeFileSync(join(storeDir, 'app', 'blobs', 'sha256', LEFTOVER), 'partial');
  writeFileSync(join(storeDir, 'app', INDEX_LEFTOVER), '{"partial');
  const armItem = item(
    arm(),
    [{ platform: 'linux/arm64', digest: arm().digest, mediaType: OCI_MANIFEST, size: arm().size }],
    2,
  );
  state = {
    version: 1,
    lineage: 'l',
    serial: 3,
    streams: {
      app: {
        tags: {
          all: {
            spec: spec('PreserveOriginal'),
            items: [item(v2, children(v2), 3), item(v1, children(v1), 1)],
            conditions: [],
          },
          arm: { spec: spec('Legacy'), items: [armItem], conditions: [] },
        },
      },
    },
  };
});

describe('planning the prune of a layout store', () => {
  let plan: PrunePlan;

  beforeAll(async () => {
    plan = await planPrune(state, store, {
      keepTagRevisions: 1,
      keepYoungerThanMs: 0,
      now: new Date('2026-11-28T00:00:00Z'),
    });
  });

  it('removes the older item of the list tag', () => {
    expect(plan.history.map((t) => [t.address, t.removed.map((i) => i.digest)])).toEqual([['app:all', [v1.digest]]]);
  });

  it('deletes the old list first, then its children, but not the child a kept item uses on its own', () => {
    const stream = plan.store!.streams[0]!;
    const amd = v1.platforms['linux/amd64']!.digest;
    expect(stream.manifests[0]).toMatchObject({ digest: v1.digest, kind: 'index' });
    expect(stream.manifests.map((m) => m.digest).sort()).toEqual(
      [v1.digest, amd, ...v1.attestations.map((a) => a.digest)].sort(),
    );
    expect(stream.manifests.map((m) => m.digest)).not.toContain(arm().digest);
  });

  it('deletes the blobs only deleted manifests named, not those of the kept child', () => {
    const deleted = new Set(plan.store!.streams[0]!.blobs.map((b) => b.digest));
    const amd = v1.platforms['linux/amd64']!;
    for (const digest of [amd.configDigest, ...amd.layerDigests]) expect(deleted.has(digest)).toBe(true);
    for (const digest of [arm().configDigest, ...arm().layerDigests]) expect(deleted.has(digest)).toBe(false);
  });

  it('counts the bytes it frees, files left by interrupted copies included', () => {
    const stream = plan.store!.streams[0]!;
    const size = (digest: string) => statSync(join(storeDir, 'app', 'blobs', 'sha256', digest.slice(7))).size;
    const leftovers = 'partial'.length + '{"partial'.length;
    const expected = [...stream.manifests, ...stream.blobs].reduce((sum, b) => sum + size(b.digest), 0) + leftovers;
    expect(stream.temporaryFiles).toEqual([
      join(storeDir, 'app', INDEX_LEFTOVER),
      join(storeDir, 'app', 'blobs', 'sha256', LEFTOVER),
    ]);
    expect(stream.bytes).toBe(expected);
    expect(plan.totals).toMatchObject({ items: 1, tags: 1, manifests: stream.manifests.length, bytes: expected });
  });

  describe('then applying it', () => {
    beforeAll(async () => {
      await applyStorePrune(store, plan.store!);
    });

    it('removes exactly the listed files', () => {
      const stream = plan.store!.streams[0]!;
      const gone = [...stream.manifests, ...stream.blobs].map((b) => b.digest.slice(7));
      expect(files().filter((name) => gone.includes(name))).toEqual([]);
      for (const path of stream.temporaryFiles) expect(existsSync(path)).toBe(false);
    });

    it('leaves every tag of the layout readable whole', async () => {
      const reader = new LayoutRepository(join(storeDir, 'app'), 'store/app');
      for (const tag of ['all', 'arm']) {
        const top = await reader.getManifest(tag);
        const manifests =
          top.manifest.kind === 'index'
            ? await Promise.all(top.manifest.manifests.map((d) => reader.getManifest(d.digest)))
            : [top];
        for (const { manifest } of manifests) {
          if (manifest.kind !== 'image') continue;
          for (const blob of [manifest.config, ...manifest.layers])
            await expect(reader.getBlob(blob.digest, 1 << 20)).resolves.toBeDefined();
        }
      }
    });

    it('finds nothing more to delete', async () => {
      const again = await planPrune(state, store, { keepTagRevisions: 1, keepYoungerThanMs: 0, now: new Date() });
      expect(again.store!.streams).toEqual([]);
    });
  });
});

describe('a stream whose tags all switched from Local to Source on the images they had', () => {
  let plan: PrunePlan;
  let switched: State;

  beforeAll(async () => {
    switched = structuredClone(state);
    for (const tag of Object.values(switched.streams.app!.tags)) {
      tag.spec.referencePolicy = 'Source';
      tag.items = tag.items.slice(0, 1).map((i) => ({ ...i, dockerImageReference: `oci:source@${i.digest}` }));
    }
    plan = await planPrune(switched, store, { keepTagRevisions: 1, keepYoungerThanMs: 0, now: new Date() });
  });

  it('has nothing pinned in the store: its tags and everything they name go', () => {
    const stream = plan.store!.streams[0]!;
    expect(plan.history).toEqual([]);
    expect([stream.tags, stream.sourceTags]).toEqual([[], ['all', 'arm']]);
    expect(stream.manifests.map((m) => m.digest)).toEqual(expect.arrayContaining([v2.digest, arm().digest]));
    expect([...stream.manifests, ...stream.blobs].length).toBe(files().length);
  });

  it('keeps what a remaining item is still pulled from the store by', async () => {
    const kept = structuredClone(switched);
    kept.streams.app!.tags.arm!.items[0]!.dockerImageReference = store.open('app').pullSpec(arm().digest);
    const again = await planPrune(kept, store, { keepTagRevisions: 1, keepYoungerThanMs: 0, now: new Date() });
    const stream = again.store!.streams[0]!;
    expect(stream.sourceTags).toEqual(['all', 'arm']);
    expect(stream.manifests.map((m) => m.digest)).not.toContain(arm().digest);
    const deleted = new Set(stream.blobs.map((b) => b.digest));
    for (const digest of [arm().configDigest, ...arm().layerDigests]) expect(deleted.has(digest)).toBe(false);
  });
});
