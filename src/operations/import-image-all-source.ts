import { isAbsolute, resolve } from 'node:path';
import type { Catalog, CatalogTag } from '../core/catalog.js';
import { RegistryError, UsageError } from '../core/errors.js';
import { type ImageSourceReference, parseImageSource } from '../core/reference.js';
import { listSourceTags } from '../registry/tag-lister.js';
import { prioritizedTags } from '../render/tag-priority.js';
import type { CatalogRepositories } from './repositories.js';

/** OpenShift's `imagePolicyConfig.maxImagesBulkImportedPerRepository` by default: the tags `--all` imports. */
export const DEFAULT_MAX_TAGS = 50;

/** What `import-image --all` imports: every tag of a repository (up to the limit), or the stream's own tags again. */
export type AllSource =
  | {
      kind: 'repository';
      /** The repository as the catalog will hold it, without tag: each tag's source is `from:TAG`. */
      from: string;
      /** The repository as typed, to list it from the working directory. */
      listed: ImageSourceReference;
      needsConfirm?: string;
    }
  | { kind: 'stream'; tags: CatalogTag[] };

export interface AllSourceRequest {
  stream: string;
  /** `--from` as typed, and as the catalog will hold it (an `oci:` path relative to the catalog). */
  from?: { typed: string; written: string };
  /** Whether the catalog has the stream already. */
  exists: boolean;
  /** Why creating the stream needs --confirm. */
  createNeedsConfirm: string;
}

/**
 * What `--all` imports, by oc's rules: a new stream imports the repository `--from` names (or the stream's own name);
 * an existing stream given `--from` is pointed at that repository only with --confirm; without `--from`, an existing
 * stream imports its tags that name an image again. `--from` must name a repository, not a tag or digest.
 */
export function allSource(catalog: Catalog, request: AllSourceRequest): AllSource {
  const { stream, from, exists } = request;
  const repository = from ?? (exists ? undefined : { typed: stream, written: stream });
  if (repository) {
    const listed = repositoryOnly(repository.typed);
    const needsConfirm = exists
      ? 'the image stream does not currently import an entire Docker repository, pass --confirm to update'
      : request.createNeedsConfirm;
    return { kind: 'repository', from: repository.written, listed, needsConfirm };
  }
  const tags = catalog.tags.filter((t) => t.stream === stream);
  if (tags.length === 0) throw new UsageError('image stream does not have tags pointing to external container images');
  return { kind: 'stream', tags };
}

/** A source that names a repository, refused (as OpenShift's validation does) when it names a tag or a digest. */
function repositoryOnly(text: string): ImageSourceReference {
  const source = parseImageSource(text);
  const named =
    source.transport === 'layout'
      ? source.ref.tag !== undefined || source.ref.digest !== undefined
      : text.includes('@') || text.lastIndexOf(':') > text.lastIndexOf('/');
  if (named) throw new UsageError(`--from "${text}": you must specify an image repository, not a tag or ID`);
  return source;
}

/** The tags a repository import takes, in OpenShift's order, and those left out over `maxTags`. */
export interface ListedTags {
  imported: string[];
  additional: string[];
}

/** Lists the repository (the whole list: OpenShift orders every tag before it takes the first `maxTags`). */
export async function listRepositoryTags(
  repositories: CatalogRepositories,
  source: ImageSourceReference,
  options: { cwd: string; insecure: boolean; maxTags: number },
): Promise<ListedTags> {
  const listed = new Set<string>();
  const opened = fromDirectory(source, options.cwd);
  const open = { insecure: options.insecure, ...(source.transport === 'layout' && { displayPath: source.ref.path }) };
  for await (const page of listSourceTags(repositories.repositories, opened, open)) {
    for (const tag of page) listed.add(tag);
  }
  const ordered = prioritizedTags([...listed]);
  if (ordered.length === 0) throw new RegistryError('NotFound', `${nameOf(source)} has no tags to import`);
  return { imported: ordered.slice(0, options.maxTags), additional: ordered.slice(options.maxTags) };
}

function fromDirectory(source: ImageSourceReference, cwd: string): ImageSourceReference {
  if (source.transport !== 'layout' || isAbsolute(source.ref.path)) return source;
  return { transport: 'layout', ref: { ...source.ref, path: resolve(cwd, source.ref.path) } };
}

function nameOf(source: ImageSourceReference): string {
  return source.transport === 'layout' ? `oci:${source.ref.path}` : `${source.ref.registry}/${source.ref.repository}`;
}
