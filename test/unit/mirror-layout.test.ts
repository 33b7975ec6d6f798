import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CopyStats, mirrorImage } from '../../src/engine/mirror/mirror.js';
import { DestinationChecks, planCopy } from '../../src/engine/mirror/plan.js';
import { MirrorRun } from '../../src/engine/mirror/run.js';
import { RequestLimiter } from '../../src/registry/http/limiter.js';
import { LayoutDestination } from '../../src/registry/layout/layout-destination.js';
import { LayoutRepository } from '../../src/registry/layout/layout-repository.js';
import { tempDir } from '../helpers/cli.js';
import { type GeneratedImage, writeImageLayout } from '../helpers/images.js';

/** Mirroring between OCI image layouts: the copy algorithm without a network. */
const sourceDir = join(tempDir().path, 'source');
let multi: GeneratedImage;
let single: GeneratedImage;
let source: LayoutRepository;

beforeAll(() => {
  const layout = writeImageLayout(sourceDir, {
    tags: {
      multi: { platforms: ['linux/amd64', 'linux/arm64'], attestations: true, layers: 2 },
      single: { platforms: ['linux/amd64'], layerBytes: 300_000 },
    },
  });
  multi = layout.tags.multi!;
  single = layout.tags.single!;
  source = new LayoutRepository(sourceDir, 'source');
});

const transfers = () => new RequestLimiter(4);
const blobNames = (dir: string) => readdirSync(join(dir, 'blobs', 'sha256')).sort();
const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const destination = () => {
  const dir = join(tempDir().path, 'store', 'app');
  return { dir, target: new LayoutDestination(dir, 'store/app') };
};

/** Blobs of the source layout that an image names: every manifest, config and layer under it. */
function closure(image: GeneratedImage): string[] {
  const manifests = [...image.manifests.map((m) => m.digest), ...image.attestations.map((a) => a.digest)];
  const own = image.isIndex ? [image.digest] : [];
  const read = (digest: string) =>
    JSON.parse(readFileSync(join(sourceDir, 'blobs', 'sha256', digest.slice(7)), 'utf8'));
  const blobs = manifests.flatMap((digest) => {
    const manifest = read(digest) as { config: { digest: string }; layers: { digest: string }[] };
    return [manifest.config.digest, ...manifest.layers.map((l) => l.digest)];
  });
  return [...new Set([...own, ...manifests, ...blobs])].map((d) => d.slice(7)).sort();
}

describe('mirroring a list into an empty layout', () => {
  const { dir, target } = destination();
  let stats: CopyStats;

  it('is planned as every manifest and every blob', async () => {
    const copy = await planCopy(source, target, { digest: multi.digest, tag: 'all' });
    const names = closure(multi);
    expect(copy.repository).toBe('oci:store/app');
    expect(copy.manifests).toHaveLength(1 + multi.manifests.length + multi.attestations.length);
    expect(copy.manifests.length + copy.blobs.length).toBe(names.length);
  });

  it('copies the list, every child and every blob, bytes unchanged', async () => {
    stats = await mirrorImage(source, target, { digest: multi.digest, tag: 'all' }, transfers());
    expect(blobNames(dir)).toEqual(closure(multi));
    for (const name of blobNames(dir))
      expect(readFileSync(join(dir, 'blobs', 'sha256', name))).toEqual(
        readFileSync(join(sourceDir, 'blobs', 'sha256', name)),
      );
  });

  it('counts what it stored', () => {
    const manifests = 1 + multi.manifests.length + multi.attestations.length;
    expect(stats.manifests).toBe(manifests);
    expect(stats.blobs.uploaded).toBe(closure(multi).length - manifests);
    expect(stats.blobs.present + stats.blobs.mounted).toBe(0);
  });

  it('tags the list in index.json, where the layout reader finds it', async () => {
    const reader = new LayoutRepository(dir, 'store/app');
    expect(await reader.head('all')).toEqual({ digest: multi.digest, mediaType: multi.mediaType, size: multi.size });
    expect(sha256(Buffer.from((await reader.getManifest('all')).bytes))).toBe(multi.digest);
  });

  it('then has nothing to copy, and a second mirror writes nothing', async () => {
    expect(await planCopy(source, target, { digest: multi.digest, tag: 'all' })).toMatchObject({
      manifests: [],
      blobs: [],
    });
    const index = statSync(join(dir, 'index.json')).mtimeMs;
    const again = await mirrorImage(source, target, { digest: multi.digest, tag: 'all' }, transfers());
    expect(again).toEqual({ manifests: 0, blobs: { present: 0, mounted: 0, uploaded: 0 }, bytes: 0 });
    expect(statSync(join(dir, 'index.json')).mtimeMs).toBe(index);
  });

  it('tags a child it holds already without copying anything else (a Legacy tag of the same list)', async () => {
    const child = multi.manifests[1]!;
    expect(await planCopy(source, target, { digest: child.digest, tag: 'arm' })).toMatchObject({
      manifests: [],
      blobs: [],
    });
    const copied = await mirrorImage(source, target, { digest: child.digest, tag: 'arm' }, transfers());
    expect(copied).toMatchObject({ manifests: 1, blobs: { present: 0, mounted: 0, uploaded: 0 } });
    expect(await target.tagDigest('arm')).toBe(child.digest);
  });
});

describe('planning the copies of several tags of one image', () => {
  it('asks the destination about each manifest and blob once, and plans the same copy for every tag', async () => {
    const { target } = destination();
    const asked: string[] = [];
    const counted = Object.assign(Object.create(target) as LayoutDestination, {
      hasManifest: (digest: string) => {
        asked.push(`manifest ${digest}`);
        return target.hasManifest(digest);
      },
      hasBlob: (digest: string) => {
        asked.push(`blob ${digest}`);
        return target.hasBlob(digest);
      },
    });
    const checks = new DestinationChecks();
    const copies = await Promise.all(
      ['1.0', '1', 'latest'].map((tag) => planCopy(source, counted, { digest: multi.digest, tag }, undefined, checks)),
    );
    expect(new Set(asked).size).toBe(asked.length);
    expect(asked).toHaveLength(closure(multi).length);
    for (const copy of copies.slice(1)) expect({ ...copy, tag: '' }).toEqual({ ...copies[0], tag: '' });
  });
});

describe('copies through one long-lived destination (as watch keeps between its checks)', () => {
  it('check it again in every run: what a prune deleted in between is copied again', async () => {
    const { dir, target } = destination();
    await mirrorImage(source, target, { digest: multi.digest, tag: 'all' }, transfers());
    await target.removeEntries(() => true);
    for (const name of blobNames(dir)) rmSync(join(dir, 'blobs', 'sha256', name));

    const again = await mirrorImage(source, target, { digest: multi.digest, tag: 'all' }, transfers());
    expect(blobNames(dir)).toEqual(closure(multi));
    expect(again.manifests).toBe(1 + multi.manifests.length + multi.attestations.length);
    expect(await target.tagDigest('all')).toBe(multi.digest);
  });

  it('within one run, copy a blob or child that several tags share once', async () => {
    const { dir, target } = destination();
    const run = new MirrorRun();
    const copies = await Promise.all(
      ['a', 'b', 'c'].map((tag) => mirrorImage(source, target, { digest: multi.digest, tag }, transfers(), { run })),
    );
    const counted = copies.reduce((sum, c) => sum + c.blobs.uploaded + c.blobs.present, 0);
    expect(counted).toBe(closure(multi).length - (1 + multi.manifests.length + multi.attestations.length));
    expect(blobNames(dir)).toEqual(closure(multi));
  });
});

describe('a copy that fails', () => {
  it('leaves the tag where it was: a blob that does not match its digest is never stored', async () => {
    const dir = join(tempDir().path, 'corrupt');
    const layout = writeImageLayout(dir, {
      tags: { v1: { platforms: ['linux/amd64'] }, v2: { platforms: ['linux/amd64'], seed: 'v2' } },
    });
    const corrupt = new LayoutRepository(dir, 'corrupt');
    const { target } = destination();
    await mirrorImage(corrupt, target, { digest: layout.tags.v1!.digest, tag: 'latest' }, transfers());
    const layer = join(dir, 'blobs', 'sha256', layout.tags.v2!.manifests[0]!.layerDigests[0]!.slice(7));
    writeFileSync(layer, Buffer.alloc(statSync(layer).size, 0x61));
    await expect(
      mirrorImage(corrupt, target, { digest: layout.tags.v2!.digest, tag: 'latest' }, transfers()),
    ).rejects.toMatchObject({
      reason: 'InvalidManifest',
      message: expect.stringMatching(/content digest sha256:\w+, expected/),
    });
    expect(await target.tagDigest('latest')).toBe(layout.tags.v1!.digest);
    expect(await target.hasBlob(layout.tags.v2!.manifests[0]!.layerDigests[0]!)).toBe(false);
    expect(await target.hasManifest(layout.tags.v2!.digest)).toBe(false);
  });
});

describe('a layout destination', () => {
  it('keeps every tag when many are set at once: index.json is replaced one update at a time', async () => {
    const { dir, target } = destination();
    const tags = Array.from({ length: 12 }, (_, i) => `t${i}`);
    await Promise.all(tags.map((tag) => mirrorImage(source, target, { digest: single.digest, tag }, transfers())));
    expect((await target.listTags()).sort()).toEqual([...tags].sort());
    expect(readdirSync(dir).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
  });

  it('moves a tag: the entry of that name is replaced, the others stay', async () => {
    const { target } = destination();
    await mirrorImage(source, target, { digest: single.digest, tag: 'a' }, transfers());
    await mirrorImage(source, target, { digest: single.digest, tag: 'b' }, transfers());
    await mirrorImage(source, target, { digest: multi.digest, tag: 'a' }, transfers());
    expect(await target.tagDigest('a')).toBe(multi.digest);
    expect(await target.tagDigest('b')).toBe(single.digest);
    expect(await target.listTags()).toHaveLength(2);
  });

  it.each(['sha256:../../../etc/passwd', 'sha256:ABC', '../index.json', 'md5:0123'])(
    'validates the digest %s before it builds a path from it',
    async (digest) => {
      const { target } = destination();
      await expect(target.hasBlob(digest)).rejects.toMatchObject({ reason: 'InvalidManifest' });
      await expect(target.putBlob({ digest, size: 1 }, source)).rejects.toMatchObject({ reason: 'InvalidManifest' });
    },
  );
});
