import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rewriteCatalogFroms } from '../../src/config/catalog-from-edit.js';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import type { CatalogTag } from '../../src/core/catalog.js';
import type { Manifest } from '../../src/core/manifest.js';
import { findUpdates } from '../../src/engine/update.js';
import type { ImageRepository } from '../../src/registry/repository.js';

const INDEX = 'application/vnd.oci.image.index.v1+json';
const IMAGE = 'application/vnd.oci.image.manifest.v1+json';

/** `sha256:` and 64 hex digits made of `n`. */
function digest(n: number): string {
  return `sha256:${n.toString(16).padStart(64, '0')}`;
}

/** An index of an amd64 and an arm64 image whose digests are made of `n`, `n + 1` and `n + 2`. */
function index(n: number): { digest: string; manifest: Manifest } {
  const child = (d: number, architecture: string) => ({
    mediaType: IMAGE,
    digest: digest(d),
    size: 100,
    platform: { os: 'linux', architecture },
  });
  return {
    digest: digest(n),
    manifest: { kind: 'index', mediaType: INDEX, manifests: [child(n + 1, 'amd64'), child(n + 2, 'arm64')] },
  };
}

/** A registry repository whose tags point to indexes; it lists its tags in pages of two. */
function repository(tags: Record<string, number>) {
  const byDigest = new Map(Object.values(tags).map((n) => [digest(n), index(n)]));
  const resolve = (reference: string) => {
    const found = reference.startsWith('sha256:') ? byDigest.get(reference) : index(tags[reference] ?? -1);
    if (!found || (!reference.startsWith('sha256:') && tags[reference] === undefined)) {
      throw new Error(`${reference} not found`);
    }
    return found;
  };
  const repo: ImageRepository = {
    name: 'fake',
    head: async (reference) => ({ digest: resolve(reference).digest, mediaType: INDEX, size: 1 }),
    getManifest: async (reference) => {
      const found = resolve(reference);
      return { digest: found.digest, mediaType: INDEX, size: 1, bytes: new Uint8Array(), manifest: found.manifest };
    },
    getBlob: () => Promise.reject(new Error('not used')),
    pullSpec: (d) => `fake@${d}`,
  };
  async function* listTags() {
    const names = Object.keys(tags);
    for (let i = 0; i < names.length; i += 2) yield names.slice(i, i + 2);
  }
  return { repo, listTags };
}

const CATALOG = `apiVersion: imagestreams/v1
kind: Catalog
streams:
  postgres:
    update: { policy: major }  # majors need a migration, reviewed in the pull request
    tags:
      "16":
        from: postgres:16.2 # the server
  app:
    tags:
      stable:
        from: quay.io/org/app:stable@${digest(10)}
      "1.0":
        from: 'quay.io/org/app:1.0@${digest(10)}'
      pinned:
        from: quay.io/org/app@${digest(10)}
      edge:
        from: quay.io/org/app:edge
        scheduled: true
      latest:
        from: { kind: DockerImage, name: "quay.io/org/app:v2.0.0" }
`;

function catalog() {
  return parseCatalog(CATALOG, join('/work', 'imagestreams.yaml'), { displayPath: 'imagestreams.yaml' });
}

const postgres = repository({ '16.1': 100, '16.2': 110, '16.6': 120, '17.2': 130, '18.0-rc1': 140, latest: 130 });
const app = repository({ stable: 20, '1.0': 10, '1.3': 30, '2.0': 40, edge: 50, 'v2.0.0': 60, 'v2.1.0': 70 });
const repoOf = (tag: CatalogTag) => (tag.stream === 'postgres' ? postgres : app);

async function updates(targets: string[] = []) {
  return findUpdates({
    catalog: catalog(),
    openTag: (tag) => repoOf(tag).repo,
    listTags: (tag) => repoOf(tag).listTags(),
    policy: 'minor',
    targets,
  });
}

describe('update finds what pinned tags move to', () => {
  it('moves versions under their policy (the stream wins over the default) and digests to their tag', async () => {
    const { moves } = await updates();
    expect(moves.map((m) => [m.address, m.before, m.after, m.policy])).toEqual([
      ['postgres:16', 'postgres:16.2', 'postgres:17.2', 'major'],
      ['app:stable', `quay.io/org/app:stable@${digest(10)}`, `quay.io/org/app:stable@${digest(20)}`, 'minor'],
      ['app:1.0', `quay.io/org/app:1.0@${digest(10)}`, `quay.io/org/app:1.3@${digest(30)}`, 'minor'],
      ['app:latest', 'quay.io/org/app:v2.0.0', 'quay.io/org/app:v2.1.0', 'minor'],
    ]);
    expect(moves[2]).toMatchObject({
      version: { from: '1.0', to: '1.3' },
      digest: { from: digest(10), to: digest(30) },
    });
  });

  it('reads per platform the digests before and after, as plan reads a Legacy tag: the chosen platform', async () => {
    const { moves } = await updates(['app:1.0']);
    expect(moves[0]?.platforms).toEqual([{ platform: 'linux/amd64', before: digest(11), after: digest(31) }]);
  });

  it('leaves scheduled and digest-only tags alone, saying why; tags already current are not mentioned', async () => {
    const { leftAlone } = await updates();
    expect(leftAlone).toEqual([
      { address: 'app:pinned', from: `quay.io/org/app@${digest(10)}`, reason: 'digest-only' },
      { address: 'app:edge', from: 'quay.io/org/app:edge', reason: 'scheduled' },
    ]);
  });

  it('refuses a target that names nothing', async () => {
    await expect(updates(['nope'])).rejects.toThrow('--target nope matches no stream or tag of imagestreams.yaml');
  });

  it('rewrites only the from values, in their quoting, keeping comments and layout', async () => {
    const { moves } = await updates();
    const source = { text: CATALOG, path: '/work/imagestreams.yaml', displayPath: 'imagestreams.yaml' };
    const edit = rewriteCatalogFroms(
      source,
      moves.map((m) => ({ stream: m.stream, tag: m.tag, from: m.after })),
    );
    expect(edit.after).toBe(
      CATALOG.replace('postgres:16.2 #', 'postgres:17.2 #')
        .replace(`app:stable@${digest(10)}`, `app:stable@${digest(20)}`)
        .replace(`'quay.io/org/app:1.0@${digest(10)}'`, `'quay.io/org/app:1.3@${digest(30)}'`)
        .replace('"quay.io/org/app:v2.0.0"', '"quay.io/org/app:v2.1.0"'),
    );
  });
});

describe("a stream's update policy in the catalog", () => {
  it('is patch, minor or major; anything else is an error at its place', () => {
    const text = CATALOG.replace('update: { policy: major }', 'update: { policy: newest }');
    expect(() => parseCatalog(text, '/work/imagestreams.yaml', { displayPath: 'imagestreams.yaml' })).toThrow(
      /^imagestreams\.yaml:5:23: error: .*policy.*patch/,
    );
  });

  it('is read per stream', () => {
    expect(catalog().streams?.map((s) => [s.name, s.updatePolicy])).toEqual([
      ['postgres', 'major'],
      ['app', undefined],
    ]);
  });
});
