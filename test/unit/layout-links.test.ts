import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mirrorImage } from '../../src/engine/mirror/mirror.js';
import { RequestLimiter } from '../../src/registry/http/limiter.js';
import { LayoutDestination } from '../../src/registry/layout/layout-destination.js';
import { LayoutRepository } from '../../src/registry/layout/layout-repository.js';
import { tempDir } from '../helpers/cli.js';
import { type GeneratedImage, writeImageLayout } from '../helpers/images.js';

/** Symbolic links in OCI layouts: the reader of a source layout and a layout of the local store never follow one. */
const work = tempDir().path;
const sourceDir = join(work, 'source');
let single: GeneratedImage;
let multi: GeneratedImage;

beforeAll(() => {
  const layout = writeImageLayout(sourceDir, {
    tags: { single: { platforms: ['linux/amd64'] }, multi: { platforms: ['linux/amd64', 'linux/arm64'] } },
  });
  single = layout.tags.single!;
  multi = layout.tags.multi!;
});

const hex = (digest: string) => digest.slice('sha256:'.length);
const transfers = () => new RequestLimiter(4);
const source = () => new LayoutRepository(sourceDir, 'source');
let made = 0;

/** A fresh directory for one test, holding `outside/` (where links lead) and whatever the test puts beside it. */
function scratch(): { dir: string; outside: string } {
  const dir = join(work, `case-${++made}`);
  const outside = join(dir, 'outside');
  mkdirSync(outside, { recursive: true });
  return { dir, outside };
}

/** Moves `path` to `target` and leaves a link to it in its place. */
function moveBehindLink(path: string, target: string): void {
  cpSync(path, target, { recursive: true });
  rmSync(path, { recursive: true });
  symlinkSync(target, path);
}

describe('a source layout holding a symbolic link', () => {
  function linkedSource(entry: (dir: string) => string): LayoutRepository {
    const { dir, outside } = scratch();
    const layout = join(dir, 'layout');
    cpSync(sourceDir, layout, { recursive: true });
    moveBehindLink(entry(layout), join(outside, 'moved'));
    return new LayoutRepository(layout, 'layout');
  }

  it.each([
    ['index.json', (dir: string) => join(dir, 'index.json'), /^oci:layout: index\.json is a symbolic link; refused/],
    ['oci-layout', (dir: string) => join(dir, 'oci-layout'), /^oci:layout: oci-layout is a symbolic link/],
    ['blobs', (dir: string) => join(dir, 'blobs'), /^oci:layout: blobs is a symbolic link/],
    ['blobs/sha256', (dir: string) => join(dir, 'blobs', 'sha256'), /^oci:layout: blobs\/sha256 is a symbolic link/],
    [
      'the manifest',
      (dir: string) => join(dir, 'blobs', 'sha256', hex(single.digest)),
      /^oci:layout: blob sha256:[0-9a-f]{64} is a symbolic link; refused \(a layout is read without following links\)$/,
    ],
  ])('refuses %s as a link, naming it', async (_name, entry, message) => {
    const reader = linkedSource(entry);
    await expect(reader.getManifest('single')).rejects.toMatchObject({
      reason: 'InvalidManifest',
      message: expect.stringMatching(message),
    });
  });

  it('refuses a blob that is a link even when asked for by digest, or streamed', async () => {
    const config = single.manifests[0]!.configDigest;
    const reader = linkedSource((dir) => join(dir, 'blobs', 'sha256', hex(config)));
    await expect(reader.getBlob(config, 1 << 20)).rejects.toThrow(/is a symbolic link/);
    await expect(reader.openBlob(config)).rejects.toThrow(/is a symbolic link/);
  });
});

describe('a source layout whose index.json lies about a manifest', () => {
  function lyingIndex(change: Record<string, unknown>): LayoutRepository {
    const { dir } = scratch();
    const layout = join(dir, 'layout');
    cpSync(sourceDir, layout, { recursive: true });
    const entry = { mediaType: single.mediaType, digest: single.digest, size: single.size, ...change };
    const annotations = { 'org.opencontainers.image.ref.name': 'single' };
    writeFileSync(
      join(layout, 'index.json'),
      JSON.stringify({ schemaVersion: 2, manifests: [{ ...entry, annotations }] }),
    );
    return new LayoutRepository(layout, 'layout');
  }

  it('refuses it by tag, and by the digest a head of the tag gave', async () => {
    const reader = lyingIndex({ size: 3 });
    const message = `manifest oci:layout@${single.digest} is ${single.size} bytes, but index.json says 3; refused`;
    await expect(reader.getManifest('single')).rejects.toThrow(message);
    const head = await reader.head('single');
    await expect(reader.getManifest(head.digest)).rejects.toThrow(message);
  });

  it('refuses an image manifest listed as an index', async () => {
    await expect(lyingIndex({ mediaType: multi.mediaType }).getManifest('single')).rejects.toThrow(
      'is an OCI image manifest, but index.json says an OCI image index; refused',
    );
  });
});

describe('a layout of the local store holding a symbolic link', () => {
  /** A store with `store/app` holding `single` as `one`; `entry` of it is then moved behind a link to `outside/`. */
  async function linkedStore(entry: string): Promise<{ target: LayoutDestination; outside: string; dir: string }> {
    const { dir, outside } = scratch();
    const mirrored = new LayoutDestination(join(dir, 'store', 'app'), 'store/app');
    await mirrorImage(
      new LayoutRepository(sourceDir, 'source'),
      mirrored,
      { digest: single.digest, tag: 'one' },
      transfers(),
    );
    moveBehindLink(join(dir, 'store', entry), join(outside, 'moved'));
    writeFileSync(join(outside, 'bait'), 'bait');
    return { target: new LayoutDestination(join(dir, 'store', 'app'), 'store/app'), outside, dir };
  }

  const outsideFiles = (outside: string) => readdirSync(outside, { recursive: true }).map(String).sort();

  it.each([
    ['the stream layout', 'app'],
    ['blobs', 'app/blobs'],
    ['blobs/sha256', 'app/blobs/sha256'],
    ['index.json', 'app/index.json'],
  ])('refuses %s as a link: nothing is read, written or deleted through it', async (_name, entry) => {
    const { target, outside } = await linkedStore(entry);
    const before = outsideFiles(outside);
    const named = expect.stringMatching(
      new RegExp(`^local store store: ${entry.replaceAll('/', '\\/').replace('.', '\\.')} is a symbolic link; refused`),
    );
    const throughBlobs = entry !== 'app/index.json';
    const throughIndex = entry === 'app' || entry === 'app/index.json';
    const attempts: [string, boolean, () => Promise<unknown>][] = [
      ['copy', true, () => mirrorImage(source(), target, { digest: multi.digest, tag: 'all' }, transfers())],
      ['tag list', throughIndex, () => target.listTags()],
      ['untag', throughIndex, () => target.removeEntries(() => true)],
      ['blob list', throughBlobs, () => target.listBlobs()],
      ['temporary files', throughBlobs, () => target.listTemporaryFiles()],
      ['delete', throughBlobs, () => target.deleteBlob(single.digest)],
    ];
    for (const [what, , attempt] of attempts.filter(([, through]) => through))
      await expect(attempt(), what).rejects.toMatchObject({ reason: 'InternalError', message: named });
    expect(outsideFiles(outside)).toEqual(before);
  });

  it('refuses a blob that is a link: it is neither taken as present nor deleted', async () => {
    const { target, outside } = await linkedStore(`app/blobs/sha256/${hex(single.digest)}`);
    await expect(target.hasBlob(single.digest)).rejects.toThrow(
      `local store store: app/blobs/sha256/${hex(single.digest)} is a symbolic link; refused`,
    );
    await expect(target.listBlobs()).rejects.toThrow(/is a symbolic link/);
    await expect(target.deleteBlob(single.digest)).rejects.toThrow(/is a symbolic link/);
    expect(existsSync(join(outside, 'moved'))).toBe(true);
  });

  it('deletes only the temporary files of the layout it listed', async () => {
    const { target, dir } = await linkedStore('app/oci-layout');
    await expect(target.deleteFile(join(dir, 'outside', 'bait'))).rejects.toThrow(
      /is not a temporary file of the layout/,
    );
    await expect(target.deleteFile(join(dir, 'store', 'app', 'index.json'))).rejects.toThrow(/is not a temporary file/);
    expect(existsSync(join(dir, 'outside', 'bait'))).toBe(true);
  });
});

describe('the default local store, walked from the catalog’s directory', () => {
  it.each([
    ['.imagestreams', '.imagestreams'],
    ['.imagestreams/store', '.imagestreams/store'],
  ])('refuses a link at %s, created or not yet: nothing is written where it leads', async (link) => {
    const { dir, outside } = scratch();
    if (link.includes('/')) mkdirSync(join(dir, '.imagestreams'));
    symlinkSync(outside, join(dir, link));
    const target = new LayoutDestination(join(dir, '.imagestreams', 'store', 'app'), '.imagestreams/store/app', dir);
    await expect(
      mirrorImage(source(), target, { digest: single.digest, tag: 'one' }, transfers()),
    ).rejects.toMatchObject({
      reason: 'InternalError',
      message: `local store .imagestreams/store: ${link} is a symbolic link; refused: nothing in the store is read, written or deleted through a link (remove it)`,
    });
    await expect(target.listTags()).rejects.toMatchObject({ reason: 'InternalError' });
    expect(readdirSync(outside)).toEqual([]);
  });

  it('makes the directories on the way and stores the image there', async () => {
    const { dir } = scratch();
    const target = new LayoutDestination(join(dir, '.imagestreams', 'store', 'app'), '.imagestreams/store/app', dir);
    await mirrorImage(source(), target, { digest: single.digest, tag: 'one' }, transfers());
    expect(await target.tagDigest('one')).toBe(single.digest);
    expect(existsSync(join(dir, '.imagestreams', 'store', 'app', 'blobs', 'sha256', hex(single.digest)))).toBe(true);
  });
});
