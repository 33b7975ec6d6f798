import { generateImage, IMAGE_KINDS } from './images.mjs';

const VERSIONS_PER_REPOSITORY = IMAGE_KINDS.length;

/**
 * `tags` tags over repositories of uneven size (weights 1:2:3:4, `tagsPerRepository` on average). Each repository
 * holds up to five distinct images, one of each kind, and its tags point at them in turn, as `1.2.3`, `1.2`, `1`
 * and `latest` of one release share an image.
 */
export function benchDataset(tags, tagsPerRepository) {
  const sizes = repositorySizes(tags, Math.ceil(tags / tagsPerRepository));
  let next = 0;
  const repositories = sizes.map((size, r) => {
    const stream = `app-${String(r).padStart(3, '0')}`;
    const name = `bench/${stream}`;
    const versions = Math.min(VERSIONS_PER_REPOSITORY, size);
    const images = Array.from({ length: versions }, (_, v) =>
      generateImage(name, v, IMAGE_KINDS[(r + v) % IMAGE_KINDS.length]),
    );
    const repoTags = Array.from({ length: size }, (_, j) => ({
      index: next++,
      name: `t${String(j).padStart(4, '0')}`,
      image: images[j % versions],
    }));
    return { name, stream, images, tags: repoTags };
  });
  return { repositories, tags: repositories.flatMap((repo) => repo.tags.map((tag) => ({ ...tag, repo }))) };
}

/** Splits `total` over `count` repositories by weights 1, 2, 3, 4, 1, 2, …; every repository gets at least one. */
function repositorySizes(total, count) {
  const weights = Array.from({ length: count }, (_, r) => 1 + (r % 4));
  const sum = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => Math.max(1, Math.floor((total * w) / sum)));
  for (let r = 0, left = total - sizes.reduce((a, b) => a + b, 0); left !== 0; r = (r + 1) % count) {
    if (left > 0) {
      sizes[r]++;
      left--;
    } else if (sizes[r] > 1) {
      sizes[r]--;
      left++;
    }
  }
  return sizes;
}

/** The import policy of the tag at global position `index`: half PreserveOriginal, a third scheduled, some arm64. */
export function tagPolicy(index) {
  const importMode = index % 2 === 0 ? 'PreserveOriginal' : 'Legacy';
  return {
    importMode,
    scheduled: index % 3 === 0,
    preferPlatform: importMode === 'Legacy' && index % 10 === 1 ? 'linux/arm64' : undefined,
  };
}

/**
 * Requests an ideal importer needs for one tag: the manifest (1), then the image manifests it records (each child
 * of a list for PreserveOriginal, the chosen one for Legacy, none for a single image) and one config per image.
 */
export function idealImportRequests(tag) {
  const { importMode } = tagPolicy(tag.index);
  if (!tag.image.kind.index) return 1 + 0 + 1;
  const children = importMode === 'PreserveOriginal' ? tag.image.images.length : 1;
  return 1 + children + children;
}

/**
 * The catalog (as a plain object for YAML) importing every tag from `registryHost`; with `mirrorTo`
 * (`host:port/namespace` of the local registry), every tag is `referencePolicy: Local` and mirrored there.
 * `registrySettings` are those of both registries: `{insecure: true}` for plain HTTP, `{ca: PATH}` for TLS.
 */
export function benchCatalog(dataset, registryHost, registrySettings, mirrorTo) {
  const streams = {};
  for (const repo of dataset.repositories) {
    const tags = {};
    for (const tag of repo.tags) {
      const policy = tagPolicy(tag.index);
      const spec = { from: `${registryHost}/${repo.name}:${tag.name}` };
      if (policy.importMode !== 'Legacy') spec.importMode = policy.importMode;
      if (policy.scheduled) spec.scheduled = true;
      if (policy.preferPlatform) spec.preferPlatform = policy.preferPlatform;
      if (mirrorTo) spec.referencePolicy = 'Local';
      tags[tag.name] = spec;
    }
    streams[repo.stream] = { tags };
  }
  const registries = { [registryHost]: registrySettings };
  if (mirrorTo) registries[mirrorTo.split('/')[0]] = registrySettings;
  return {
    apiVersion: 'imagestreams/v1',
    kind: 'Catalog',
    state: 'imagestreams.state.json',
    defaults: { importMode: 'Legacy', preferPlatform: 'linux/amd64' },
    registries,
    ...(mirrorTo ? { local: { registry: mirrorTo } } : {}),
    streams,
  };
}

/** A few words on what the dataset holds, for the report. */
export function describeDataset(dataset) {
  const images = dataset.repositories.flatMap((r) => r.images);
  const manifests =
    images.reduce((n, image) => n + 1 + image.children.length, 0) - images.filter((i) => !i.kind.index).length;
  const policies = dataset.tags.map((t) => tagPolicy(t.index));
  return {
    repositories: dataset.repositories.length,
    distinctImages: images.length,
    distinctManifests: manifests,
    multiArchTags: dataset.tags.filter((t) => t.image.kind.index).length,
    preserveOriginalTags: policies.filter((p) => p.importMode === 'PreserveOriginal').length,
    scheduledTags: policies.filter((p) => p.scheduled).length,
  };
}
