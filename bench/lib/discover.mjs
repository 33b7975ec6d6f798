import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { forEachConcurrent, registryClient } from './http.mjs';
import { generateImage, IMAGE_KINDS } from './images.mjs';
import { pushBlob, pushManifest } from './populate.mjs';

export const DISCOVER_KEEP = 3;
const TAG_PAGE_SIZE = 1000;
const SINGLE_IMAGE = IMAGE_KINDS.find((kind) => !kind.index && kind.family === 'oci');

/** The `i`th version tag of a repository: 1.0.0, 1.0.1, … 1.0.99, 1.1.0, … (every one a semver version). */
export function versionTag(i) {
  return `1.${Math.floor(i / 100)}.${i % 100}`;
}

/**
 * `streams` repositories of `tags` version tags each, all pointing at one small image per repository, under
 * `namespace`; `kept` are the tags a semver policy with `keep: 3` picks (the greatest three).
 */
export function discoverDataset(streams, tags, namespace = 'discover') {
  const repositories = Array.from({ length: streams }, (_, r) => {
    const stream = `app-${String(r).padStart(3, '0')}`;
    const name = `${namespace}/${stream}`;
    return { name, stream, image: generateImage(name, 0, SINGLE_IMAGE) };
  });
  const kept = Array.from({ length: Math.min(DISCOVER_KEEP, tags) }, (_, k) => versionTag(tags - 1 - k));
  return { streams, tags, repositories, kept };
}

/** The catalog following every repository of the dataset with a semver policy keeping 3, on the plain registry `host`. */
export function discoverCatalog(dataset, host) {
  const streams = {};
  for (const repo of dataset.repositories) {
    streams[repo.stream] = {
      discover: { from: `${host}/${repo.name}`, policy: { semver: '>=0' }, keep: DISCOVER_KEEP },
    };
  }
  return {
    apiVersion: 'imagestreams/v1',
    kind: 'Catalog',
    state: 'imagestreams.state.json',
    registries: { [host]: { insecure: true } },
    streams,
  };
}

/** Writes the catalog in `dir`; returns `{dir, path}`. */
export function writeDiscoverCatalog(dataset, host, dir) {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'imagestreams.yaml');
  writeFileSync(path, stringify(discoverCatalog(dataset, host)));
  return { dir, path };
}

/**
 * Fills the registry: each repository's image is pushed over HTTP (by digest, no tag), then its tags are written
 * straight into distribution's filesystem storage under `storageRoot` (a PUT per tag would take minutes), each a
 * `current/link` and an `index/sha256/HEX/link` holding the digest. Checks with one tags/list that the registry
 * sees every tag of the first repository.
 */
export async function populateDiscover(registry, storageRoot, dataset) {
  const client = registryClient(registry, 16);
  try {
    await forEachConcurrent(dataset.repositories, 8, async (repo) => {
      for (const [digest, bytes] of repo.image.blobs) await pushBlob(client, repo.name, digest, bytes);
      await pushManifest(client, repo.name, repo.image.top.digest, repo.image.top);
    });
    for (const repo of dataset.repositories) writeTagLinks(storageRoot, repo, dataset.tags);
    const first = dataset.repositories[0];
    const res = await client.send(first.name, { method: 'GET', path: `/v2/${first.name}/tags/list` });
    const listed = JSON.parse(res.body.toString('utf8')).tags ?? [];
    if (listed.length !== dataset.tags) {
      throw new Error(`discover: ${first.name} lists ${listed.length} tags, ${dataset.tags} were written`);
    }
  } finally {
    client.close();
  }
}

function writeTagLinks(storageRoot, repo, count) {
  const digest = repo.image.top.digest;
  const hex = digest.split(':')[1];
  const tagsDir = join(storageRoot, 'docker/registry/v2/repositories', repo.name, '_manifests/tags');
  for (let i = 0; i < count; i++) {
    const tagDir = join(tagsDir, versionTag(i));
    mkdirSync(join(tagDir, 'current'), { recursive: true });
    writeFileSync(join(tagDir, 'current', 'link'), digest);
    const indexDir = join(tagDir, 'index', 'sha256', hex);
    mkdirSync(indexDir, { recursive: true });
    writeFileSync(join(indexDir, 'link'), digest);
  }
}

/** The bound: 1.1 × (tag-list pages + one HEAD per kept tag), pages of up to 1,000 tags. */
export function discoverBound(dataset, pageSize = TAG_PAGE_SIZE) {
  const pages = dataset.streams * Math.max(1, Math.ceil(dataset.tags / pageSize));
  const heads = dataset.streams * dataset.kept.length;
  return { pages, heads, limit: Number((1.1 * (pages + heads)).toFixed(1)) };
}
