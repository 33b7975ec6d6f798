import { dirname, join, relative } from 'node:path';
import type { Catalog, CatalogTag } from '../core/catalog.js';
import { RegistryError } from '../core/errors.js';
import { type ImageSourceReference, parseReference } from '../core/reference.js';
import type { ImageDestination } from '../registry/destination.js';
import { RegistryDestination } from '../registry/distribution/registry-destination.js';
import { RegistryRepository } from '../registry/distribution/registry-repository.js';
import { RequestLimiter } from '../registry/http/limiter.js';
import { LayoutDestination } from '../registry/layout/layout-destination.js';
import type { ImageRepository } from '../registry/repository.js';

/** Blob copies running at once across a whole apply (each holds a download and an upload). */
export const BLOB_TRANSFERS = 4;

/**
 * The catalog's `local` store, where `referencePolicy: Local` tags are mirrored: a registry namespace
 * (`<registry>/<stream>:<tag>`) or a directory of OCI image layouts (`<layout>/<stream>`, tagged `<tag>`).
 */
export interface LocalStore {
  readonly kind: 'registry' | 'layout';
  /** `registry registry.local:5000/mirror` or `layout .imagestreams/store`, for messages. */
  readonly description: string;
  /** Bounds the blob copies of all destinations of the store. */
  readonly transfers: RequestLimiter;
  /** The destination of one stream's images (the same object for every call with that stream). */
  open(stream: string): ImageDestination;
}

/** The stream's destination; undefined when its name cannot name one (then nothing was ever mirrored for it). */
export function openable(store: LocalStore, stream: string): ImageDestination | undefined {
  try {
    return store.open(stream);
  } catch (error) {
    if (error instanceof RegistryError) return undefined;
    throw error;
  }
}

/** Where a Local tag of `stream` pulls `digest` from once mirrored; undefined when the stream cannot name a mirror. */
export function localPullSpecs(store: LocalStore | undefined): (stream: string, digest: string) => string | undefined {
  return (stream, digest) => (store && openable(store, stream))?.pullSpec(digest);
}

/** Opens a repository of an image source with the catalog's registry settings and credentials. */
export type OpenImageSource = (source: ImageSourceReference) => ImageRepository;

/** The catalog's local store, undefined when it has none; `open` reaches its registry as it reaches any other. */
export function localStore(catalog: Catalog, open: OpenImageSource): LocalStore | undefined {
  const local = catalog.local;
  if (local?.registry) return registryStore(local.registry, open);
  if (local?.layout) {
    return layoutStore(local.layout, relative(dirname(catalog.path), local.layout) || '.', local.noLinksBelow);
  }
  return undefined;
}

/**
 * `localStore` for callers that open repositories per catalog tag (`CatalogRepositories.openTag`): the store's
 * repository is opened as the source of a tag would be, so it gets the same registry settings and credentials.
 */
export function catalogLocalStore(
  catalog: Catalog,
  openTag: (tag: CatalogTag) => ImageRepository,
): LocalStore | undefined {
  return localStore(catalog, (source) => openTag(storeTag(catalog, source)));
}

function registryStore(namespace: string, open: OpenImageSource): LocalStore {
  return memoized('registry', namespace, (stream) => {
    const ref = repositoryOf(namespace, stream);
    const repo = open({ transport: 'registry', ref });
    if (!(repo instanceof RegistryRepository))
      throw new RegistryError('InternalError', `${ref.registry} is not a registry`);
    return new RegistryDestination(repo.client, repo.repository);
  });
}

function layoutStore(dir: string, displayDir: string, noLinksBelow: string | undefined): LocalStore {
  return memoized('layout', displayDir, (stream) => {
    if (stream.includes('/') || stream.includes('\\') || stream === '.' || stream === '..') {
      throw new RegistryError('InternalError', `stream name ${JSON.stringify(stream)} cannot name a layout directory`);
    }
    return new LayoutDestination(join(dir, stream), join(displayDir, stream), noLinksBelow);
  });
}

function memoized(kind: LocalStore['kind'], where: string, create: (stream: string) => ImageDestination): LocalStore {
  const destinations = new Map<string, ImageDestination>();
  return {
    kind,
    description: `${kind} ${where}`,
    transfers: new RequestLimiter(BLOB_TRANSFERS),
    open(stream) {
      let destination = destinations.get(stream);
      if (!destination) {
        destination = create(stream);
        destinations.set(stream, destination);
      }
      return destination;
    },
  };
}

function repositoryOf(namespace: string, stream: string): { registry: string; repository: string } {
  try {
    const { registry, repository } = parseReference(`${namespace}/${stream}`);
    return { registry, repository };
  } catch {
    throw new RegistryError(
      'InternalError',
      `stream ${JSON.stringify(stream)} cannot name a repository under ${namespace} (repository names are lowercase letters, digits and single separators)`,
    );
  }
}

/** A stand-in catalog tag whose source is the store's repository (it is only ever opened, never imported). */
function storeTag(catalog: Catalog, source: ImageSourceReference): CatalogTag {
  const from = source.transport === 'registry' ? `${source.ref.registry}/${source.ref.repository}` : source.ref.path;
  return {
    address: `${from}:`,
    stream: '',
    tag: '',
    spec: {
      from,
      importMode: 'Legacy',
      referencePolicy: 'Local',
      scheduled: false,
      insecure: false,
      preferPlatform: null,
    },
    source,
    defaultPlatform: catalog.defaults.preferPlatform,
    scheduleIntervalMs: catalog.defaults.scheduleIntervalMs,
    annotations: {},
    location: { file: catalog.displayPath, line: 1, column: 1 },
  };
}
