import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import type { CatalogTag } from '../../src/core/catalog.js';
import { prepareSources } from '../../src/engine/refresh.js';
import type { ImageRepository } from '../../src/registry/repository.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

const catalog = parseCatalog(
  `apiVersion: imagestreams/v1
kind: Catalog
streams:
  app:
    tags:
      "1": { from: "registry.example/org/app:1" }
      "2": { from: "registry.example/org/app:2" }
      pinned: { from: "registry.example/org/pinned@${DIGEST}" }
      local: { from: "oci:images/app:1" }
  other:
    tags:
      latest: { from: "registry.example/org/other:latest" }
`,
  '/catalog/imagestreams.yaml',
);

/** Orders the pinned and local tags first. */
const rank = (tag: CatalogTag) => (tag.tag === 'pinned' || tag.tag === 'local' ? 0 : 1);

/** Opens one stand-in per source repository, recording which were prepared; `failing` ones reject. */
function standIns(failing: string[] = []) {
  const prepared: string[] = [];
  const requests = new Map<string, number | undefined>();
  const opened = new Map<string, ImageRepository>();
  const openRepository = (tag: CatalogTag): ImageRepository => {
    const name = tag.source.transport === 'registry' ? tag.source.ref.repository : tag.source.ref.path;
    let repository = opened.get(name);
    if (!repository) {
      repository = {
        name,
        prepare: async (count?: number) => {
          prepared.push(name);
          requests.set(name, count);
          if (failing.includes(name)) throw new Error(`${name} is down`);
        },
      } as ImageRepository;
      opened.set(name, repository);
    }
    return repository;
  };
  return { prepared, requests, openRepository };
}

describe('prepareSources: the registries a refresh will ask are made ready while the state loads', () => {
  it('prepares each registry repository that a selected tag follows by tag, once', async () => {
    const { prepared, openRepository } = standIns();
    await prepareSources(catalog.tags, { targets: [], refresh: true, concurrency: 16, openRepository });
    expect(prepared.sort()).toEqual(['org/app', 'org/other']);
  });

  it('leaves out digest-pinned tags and layouts, which a refresh may not ask anything', async () => {
    const { prepared, openRepository } = standIns();
    await prepareSources(
      catalog.tags.filter((t) => t.tag === 'pinned' || t.tag === 'local'),
      { targets: [], refresh: true, concurrency: 16, openRepository },
    );
    expect(prepared).toEqual([]);
  });

  it('prepares only what --target selects', async () => {
    const { prepared, openRepository } = standIns();
    await prepareSources(catalog.tags, { targets: ['other'], refresh: true, concurrency: 16, openRepository });
    expect(prepared).toEqual(['org/other']);
  });

  it('prepares nothing with --refresh=false', async () => {
    const { prepared, openRepository } = standIns();
    await prepareSources(catalog.tags, { targets: [], refresh: false, concurrency: 16, openRepository });
    expect(prepared).toEqual([]);
  });

  it('settles without failing when a preparation fails: the tag request meets it and reports it', async () => {
    const { prepared, openRepository } = standIns(['org/app']);
    await expect(
      prepareSources(catalog.tags, { targets: [], refresh: true, concurrency: 16, openRepository }),
    ).resolves.toBeUndefined();
    expect(prepared.sort()).toEqual(['org/app', 'org/other']);
  });

  it('tells each repository how many of its tags are among the first ones asked about at once', async () => {
    const { requests, openRepository } = standIns();
    await prepareSources(catalog.tags, { targets: [], refresh: true, concurrency: 16, openRepository });
    expect(Object.fromEntries(requests)).toEqual({ 'org/app': 2, 'org/other': 1 });

    const { requests: firstTwo, openRepository: openAgain } = standIns();
    await prepareSources(catalog.tags, { targets: [], refresh: true, concurrency: 2, openRepository: openAgain });
    expect(Object.fromEntries(firstTwo)).toEqual({ 'org/app': 2, 'org/other': 0 });
  });

  it('counts only the tags followed by tag among the first: pinned and local ones, answered without a registry, take none', async () => {
    const { requests, openRepository } = standIns();
    const pinnedFirst = [...catalog.tags].sort((a, b) => rank(a) - rank(b));
    await prepareSources(pinnedFirst, { targets: [], refresh: true, concurrency: 2, openRepository });
    expect(Object.fromEntries(requests)).toEqual({ 'org/app': 2, 'org/other': 0 });
  });
});
