import { RegistryError } from '../core/errors.js';
import { isIndexMediaType } from '../core/media-types.js';
import type { State, TagItem } from '../core/state-model.js';
import type { ImageDestination } from '../registry/destination.js';
import { LayoutDestination } from '../registry/layout-destination.js';
import { REF_NAME_ANNOTATION } from '../registry/layout-repository.js';
import { RegistryDestination } from '../registry/registry-destination.js';
import type { FetchedManifest } from '../registry/repository.js';
import { mapConcurrent } from './concurrency.js';
import { type LocalStore, openable } from './mirror-target.js';
import type { TrimmedTag } from './prune-history.js';

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
    if (!scope.usesStore()) continue;
    const pruned =
      target instanceof LayoutDestination ? await planLayout(scope, target) : await planRegistry(scope, target);
    if (pruned.tags.length + pruned.manifests.length + pruned.blobs.length + pruned.temporaryFiles.length > 0)
      streams.push(pruned);
  }
  return { description: store.description, kind: store.kind, streams };
}

/** Deletes what `plan` lists: index.json entries before the blobs they name, lists before their children. */
export async function applyStorePrune(store: LocalStore, plan: StorePrune): Promise<void> {
  for (const stream of plan.streams) {
    const target = store.open(stream.stream);
    if (target instanceof LayoutDestination) {
      const tags = new Set(stream.tags);
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
   * Manifests remaining items reference: their own digest and, for a list, every child. Every remaining item
   * counts, wherever its pull spec points: keeping too much is safe.
   */
  readonly keep = new Set<string>();
  /** Manifests of removed items that were mirrored into this repository, by digest. */
  readonly removed = new Map<string, Omit<PrunedManifest, 'digest'>>();
  readonly stateTags: Set<string>;
  private readonly mirrored: boolean;

  constructor(
    readonly stream: string,
    readonly target: ImageDestination,
    after: State,
    trimmed: readonly TrimmedTag[],
  ) {
    const tags = Object.values(after.streams[stream]?.tags ?? {});
    this.stateTags = new Set(Object.keys(after.streams[stream]?.tags ?? {}));
    const stored = (item: TagItem) => item.dockerImageReference === target.pullSpec(item.digest);
    const items = tags.flatMap((t) => t.items);
    for (const item of items) for (const digest of referencedBy(item)) this.keep.add(digest);
    for (const item of trimmed.filter((t) => t.stream === stream).flatMap((t) => t.removed.filter(stored))) {
      this.removed.set(item.digest, { size: 0, kind: isIndexMediaType(item.mediaType) ? 'index' : 'image' });
      for (const child of item.manifests)
        if (child.digest !== item.digest) this.removed.set(child.digest, { size: child.size, kind: 'image' });
    }
    this.mirrored = this.removed.size > 0 || items.some(stored) || tags.some((t) => t.spec.referencePolicy === 'Local');
  }

  /** Whether the stream has (or had) images in the store. */
  usesStore(): boolean {
    return this.mirrored;
  }
}

async function planRegistry(scope: StreamScope, target: ImageDestination): Promise<StreamPrune> {
  for (const tag of scope.stateTags) {
    const digest = await target.tagDigest(tag);
    if (digest) scope.keep.add(digest);
  }
  const candidates = new Map<string, FetchedManifest>();
  const tags: string[] = [];
  const unknown = (await target.listTags()).filter((t) => !scope.stateTags.has(t)).sort();
  for (const tag of unknown) {
    const digest = await target.tagDigest(tag);
    if (!digest || scope.keep.has(digest)) continue;
    tags.push(tag);
    await collect(target, digest, candidates);
  }
  for (const digest of scope.removed.keys()) await collect(target, digest, candidates, false);
  const deleted = [...candidates.values()].filter((m) => !scope.keep.has(m.digest));
  const manifests = deleted.map(prunedManifest).sort(listsFirst);
  const bytes = manifests.length > 0 ? await registryBytes(target, deleted, scope.keep) : 0;
  return { stream: scope.stream, repository: target.name, tags, manifests, blobs: [], temporaryFiles: [], bytes };
}

/** A layout is swept: everything not reachable from the kept items and the tags the state knows is deleted. */
async function planLayout(scope: StreamScope, target: LayoutDestination): Promise<StreamPrune> {
  const entries = await target.indexEntries();
  const dropped = (name: string | undefined) => name !== undefined && !scope.stateTags.has(name);
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
  return { stream: scope.stream, repository: target.name, tags: tags.sort(), manifests, blobs, temporaryFiles, bytes };
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
