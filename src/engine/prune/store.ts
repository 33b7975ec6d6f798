import { RegistryError } from '../../core/errors.js';
import { isIndexMediaType } from '../../core/media-types.js';
import { recordedStream } from '../../core/state-lookup.js';
import type { State, TagItem } from '../../core/state-model.js';
import type { ImageDestination } from '../../registry/destination.js';
import { RegistryDestination } from '../../registry/distribution/registry-destination.js';
import { LayoutDestination } from '../../registry/layout/layout-destination.js';
import { REF_NAME_ANNOTATION } from '../../registry/layout/layout-repository.js';
import type { FetchedManifest } from '../../registry/repository.js';
import { mapConcurrent } from '../concurrency.js';
import { type LocalStore, openable } from '../local-store.js';
import type { TrimmedTag } from './history.js';

/** A manifest the prune deletes from the local store. */
export interface PrunedManifest {
  digest: string;
  size: number;
  kind: 'index' | 'image';
}

/** What the prune deletes from one stream's repository (or layout) of the local store. */
export interface StreamPrune {
  stream: string;
  /** The repository: `registry.local:5000/mirror/app`, `oci:store/app`. */
  repository: string;
  /** Tags of the store that no tag of the state has (deleted with their manifest, or dropped from index.json). */
  tags: string[];
  /** Tags of the store whose tag in the state is no longer Local (deleted or dropped alike). */
  sourceTags: string[];
  /** Lists first: a list never names a manifest already deleted. */
  manifests: PrunedManifest[];
  /** Other blobs nothing references any more (layouts; a registry collects its own garbage). */
  blobs: { digest: string; size: number }[];
  /** Files an interrupted copy left in a layout. */
  temporaryFiles: string[];
  /** Bytes freed: exact for a layout; for a registry, at most this much once it collects garbage. */
  bytes: number;
}

export interface StorePrune {
  description: string;
  kind: 'registry' | 'layout';
  streams: StreamPrune[];
}

const DELETES_AT_ONCE = 4;

/**
 * What to delete from the local store once the histories are trimmed: the manifests no remaining item references
 * (directly, or as a child of a list an item keeps), then, in a layout, every blob nothing reachable names.
 */
export async function planStorePrune(
  store: LocalStore,
  after: State,
  trimmed: readonly TrimmedTag[],
): Promise<StorePrune> {
  const streams: StreamPrune[] = [];
  for (const stream of Object.keys(after.streams).sort()) {
    const target = openable(store, stream);
    if (!target) continue;
    const scope = new StreamScope(stream, target, after, trimmed);
    if (!scope.mirrored && !(await hasTags(target))) continue;
    const pruned =
      target instanceof LayoutDestination ? await planLayout(scope, target) : await planRegistry(scope, target);
    if (deletes(pruned)) streams.push(pruned);
  }
  return { description: store.description, kind: store.kind, streams };
}

function deletes(pruned: StreamPrune): boolean {
  const { tags, sourceTags, manifests, blobs, temporaryFiles } = pruned;
  return tags.length + sourceTags.length + manifests.length + blobs.length + temporaryFiles.length > 0;
}

/**
 * Whether the store has tags in the repository of a stream the state shows no sign of having mirrored (its tags
 * are Source and no item names the store, e.g. since a tag switched from Local to Source on the same image). A
 * repository that does not exist, or that this client may not read, has none.
 */
async function hasTags(target: ImageDestination): Promise<boolean> {
  try {
    return (await target.listTags()).length > 0;
  } catch (error) {
    if (error instanceof RegistryError && ['NotFound', 'Unauthorized', 'Forbidden'].includes(error.reason))
      return false;
    throw error;
  }
}

/** Deletes what `plan` lists: index.json entries before the blobs they name, lists before their children. */
export async function applyStorePrune(store: LocalStore, plan: StorePrune): Promise<void> {
  for (const stream of plan.streams) {
    const target = store.open(stream.stream);
    if (target instanceof LayoutDestination) {
      const tags = new Set([...stream.tags, ...stream.sourceTags]);
      if (tags.size > 0) await target.removeEntries((e) => tags.has(e.annotations?.[REF_NAME_ANNOTATION] ?? ''));
      for (const { digest } of [...stream.manifests, ...stream.blobs]) await target.deleteBlob(digest);
      for (const path of stream.temporaryFiles) await target.deleteFile(path);
    } else if (target instanceof RegistryDestination) {
      for (const kind of ['index', 'image'] as const) {
        const manifests = stream.manifests.filter((m) => m.kind === kind);
        await mapConcurrent(manifests, DELETES_AT_ONCE, (m) => target.deleteManifest(m.digest));
      }
    }
  }
}

/** One stream of the state, seen from its repository of the local store. */
class StreamScope {
  /**
   * Manifests remaining items need in the store: their own digest and, for a list, every child. An item needs them
   * when it is pulled from the store, or when its tag is Local (whatever its pull spec says: keeping too much is
   * safe); the items of a tag that is Source now are pulled from their source and keep nothing.
   */
  readonly keep = new Set<string>();
  /** Manifests of removed items that were mirrored into this repository, by digest. */
  readonly removed = new Map<string, Omit<PrunedManifest, 'digest'>>();
  /** The tags of the stream in the state, and those of them that are Local. */
  readonly stateTags: Set<string>;
  readonly localTags: Set<string>;
  /** Whether the state shows the stream has (or had) images in the store. */
  readonly mirrored: boolean;

  constructor(
    readonly stream: string,
    readonly target: ImageDestination,
    after: State,
    trimmed: readonly TrimmedTag[],
  ) {
    const tags = Object.entries(recordedStream(after, stream)?.tags ?? {});
    this.stateTags = new Set(tags.map(([name]) => name));
    this.localTags = new Set(tags.filter(([, t]) => t.spec.referencePolicy === 'Local').map(([name]) => name));
    const stored = (item: TagItem) => item.dockerImageReference === target.pullSpec(item.digest);
    for (const [name, tag] of tags)
      for (const item of tag.items)
        if (this.localTags.has(name) || stored(item)) for (const digest of referencedBy(item)) this.keep.add(digest);
    for (const item of trimmed.filter((t) => t.stream === stream).flatMap((t) => t.removed.filter(stored))) {
      this.removed.set(item.digest, { size: 0, kind: isIndexMediaType(item.mediaType) ? 'index' : 'image' });
      for (const child of item.manifests)
        if (child.digest !== item.digest) this.removed.set(child.digest, { size: child.size, kind: 'image' });
    }
    const items = tags.flatMap(([, t]) => t.items);
    this.mirrored = this.removed.size > 0 || this.localTags.size > 0 || items.some(stored);
  }

  /** Splits tags of the store no Local tag of the state has: gone from the state, or Source there now. */
  unmirrored(tags: string[]): Pick<StreamPrune, 'tags' | 'sourceTags'> {
    const sorted = [...tags].sort();
    return {
      tags: sorted.filter((t) => !this.stateTags.has(t)),
      sourceTags: sorted.filter((t) => this.stateTags.has(t)),
    };
  }
}

async function planRegistry(scope: StreamScope, target: ImageDestination): Promise<StreamPrune> {
  for (const tag of scope.localTags) {
    const digest = await target.tagDigest(tag);
    if (digest) scope.keep.add(digest);
  }
  const candidates = new Map<string, FetchedManifest>();
  const dropped: string[] = [];
  for (const tag of (await target.listTags()).filter((t) => !scope.localTags.has(t))) {
    const digest = await target.tagDigest(tag);
    if (!digest || scope.keep.has(digest)) continue;
    dropped.push(tag);
    await collect(target, digest, candidates);
  }
  for (const digest of scope.removed.keys()) await collect(target, digest, candidates, false);
  const deleted = [...candidates.values()].filter((m) => !scope.keep.has(m.digest));
  const manifests = deleted.map(prunedManifest).sort(listsFirst);
  const bytes = manifests.length > 0 ? await registryBytes(target, deleted, scope.keep) : 0;
  const repository = target.name;
  return {
    stream: scope.stream,
    repository,
    ...scope.unmirrored(dropped),
    manifests,
    blobs: [],
    temporaryFiles: [],
    bytes,
  };
}

/** A layout is swept: everything not reachable from the kept items and the Local tags of the state is deleted. */
async function planLayout(scope: StreamScope, target: LayoutDestination): Promise<StreamPrune> {
  const entries = await target.indexEntries();
  const dropped = (name: string | undefined) => name !== undefined && !scope.localTags.has(name);
  const tags = entries.map((e) => e.annotations?.[REF_NAME_ANNOTATION]).filter(dropped) as string[];
  const roots = [
    ...scope.keep,
    ...entries.filter((e) => !dropped(e.annotations?.[REF_NAME_ANNOTATION])).map((e) => e.digest),
  ];
  const reachable = await reachableBlobs(target, roots);
  const unreachable = (await target.listBlobs()).filter((b) => !reachable.has(b.digest));
  const known = new Map(scope.removed);
  for (const entry of entries.filter((e) => dropped(e.annotations?.[REF_NAME_ANNOTATION])))
    known.set(entry.digest, { size: entry.size, kind: isIndexMediaType(entry.mediaType) ? 'index' : 'image' });
  const manifests = unreachable
    .filter((b) => known.has(b.digest))
    .map((b) => ({ digest: b.digest, size: b.size, kind: known.get(b.digest)!.kind }))
    .sort(listsFirst);
  const blobs = unreachable.filter((b) => !known.has(b.digest));
  const temporary = await target.listTemporaryFiles();
  const bytes = [...unreachable, ...temporary].reduce((sum, b) => sum + b.size, 0);
  const temporaryFiles = temporary.map((t) => t.path);
  const repository = target.name;
  return { stream: scope.stream, repository, ...scope.unmirrored(tags), manifests, blobs, temporaryFiles, bytes };
}

/** Every blob (manifests included) reachable from `roots` in a layout; roots it does not hold are skipped. */
async function reachableBlobs(target: ImageDestination, roots: string[]): Promise<Set<string>> {
  const reachable = new Set<string>();
  const pending = [...roots];
  while (pending.length > 0) {
    const digest = pending.pop()!;
    if (reachable.has(digest) || !(await target.hasBlob(digest))) continue;
    reachable.add(digest);
    const { manifest } = await target.getManifest(digest);
    if (manifest.kind === 'index') pending.push(...manifest.manifests.map((d) => d.digest));
    else for (const blob of [manifest.config, ...manifest.layers]) reachable.add(blob.digest);
  }
  return reachable;
}

/** Adds the manifest `digest` of the store (and, for a list, its children) to `into`; a missing one is skipped. */
async function collect(
  target: ImageDestination,
  digest: string,
  into: Map<string, FetchedManifest>,
  children = true,
): Promise<void> {
  if (into.has(digest)) return;
  const fetched = await target.getManifest(digest).catch((error: unknown) => {
    if (error instanceof RegistryError && error.reason === 'NotFound') return undefined;
    throw error;
  });
  if (!fetched) return;
  into.set(digest, fetched);
  if (children && fetched.manifest.kind === 'index')
    for (const child of fetched.manifest.manifests) await collect(target, child.digest, into);
}

/** Blobs only deleted manifests name, counted once: what the registry's garbage collection may reclaim. */
async function registryBytes(
  target: ImageDestination,
  deleted: FetchedManifest[],
  keep: ReadonlySet<string>,
): Promise<number> {
  const kept = new Map<string, FetchedManifest>();
  for (const digest of keep) await collect(target, digest, kept, false);
  const stillNamed = new Set([...kept.values()].flatMap(blobsOf).map((b) => b.digest));
  const freed = new Map(
    deleted
      .flatMap(blobsOf)
      .filter((b) => !stillNamed.has(b.digest))
      .map((b) => [b.digest, b.size]),
  );
  return deleted.reduce((sum, m) => sum + m.size, 0) + [...freed.values()].reduce((sum, size) => sum + size, 0);
}

function blobsOf(fetched: FetchedManifest): { digest: string; size: number }[] {
  return fetched.manifest.kind === 'image' ? [fetched.manifest.config, ...fetched.manifest.layers] : [];
}

function prunedManifest(fetched: FetchedManifest): PrunedManifest {
  return { digest: fetched.digest, size: fetched.size, kind: fetched.manifest.kind };
}

function referencedBy(item: TagItem): string[] {
  return [item.digest, ...item.manifests.map((m) => m.digest)];
}

function listsFirst(a: PrunedManifest, b: PrunedManifest): number {
  return (a.kind === 'index' ? 0 : 1) - (b.kind === 'index' ? 0 : 1) || a.digest.localeCompare(b.digest);
}
