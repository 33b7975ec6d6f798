import { writeCatalogText } from '../config/catalog-file-text.js';
import { parseCatalog } from '../config/parse-catalog.js';
import type { Catalog, CatalogTag, ReferenceTag } from '../core/catalog.js';
import { printable, quoted } from '../core/echoed-text.js';
import { CatalogError, RegistryError, UsageError } from '../core/errors.js';
import { recordedTag } from '../core/state-lookup.js';
import type { TagItem, TagState } from '../core/state-model.js';
import { targetAddress } from '../core/tag-reference.js';
import { adoptedHistory } from '../engine/adopted-history.js';
import { mirroredHistory } from '../engine/adopted-mirror.js';
import { catalogLocalStore, type LocalStore } from '../engine/local-store.js';
import { type AdoptNote, cleanedImageStream } from '../openshift/adopt-cleaning.js';
import { imageStreamsOf } from '../openshift/adopt-documents.js';
import { type AdoptedStream, type AdoptedTag, adoptedStream } from '../openshift/adopt-streams.js';
import { metadataViolations } from '../openshift/metadata-violations.js';
import { imageStreamViolations } from '../openshift/strict-validation.js';
import type { ImageRepository } from '../registry/repository.js';
import type { StateStore } from '../state/index.js';
import { withAdoptedStream } from './adopt-merge.js';
import { type CatalogFileRef, type CatalogFileText, readCatalogFile } from './catalog-file.js';
import { type CatalogRepositoriesOptions, withRepositories } from './repositories.js';
import { withLockedState } from './state.js';

export type { AdoptNote };

export interface AdoptRequest extends CatalogRepositoriesOptions {
  /** `oc get is -o yaml|json` output, and its name in messages (the file, or `stdin`). */
  input: { text: string; name: string };
  /** Streams already in the catalog are replaced; without it they are a conflict. */
  replace?: boolean;
  lockTimeoutMs: number;
}

export interface AdoptResult {
  streams: string[];
  /** Tags whose history (status.tags[].items) went into the state. */
  adoptedHistory: string[];
  /** Fields and images the catalog or the state could not keep. */
  notes: AdoptNote[];
  catalogCreated: boolean;
}

/**
 * `adopt`: ImageStreams a cluster holds into the catalog (comments and layout kept) and their history into the state,
 * each image read by digest from its source so that the next plan shows only what moved upstream. Everything is
 * checked before anything is written: bad input leaves catalog and state as they were.
 */
export async function adoptOperation(ref: CatalogFileRef, request: AdoptRequest): Promise<AdoptResult> {
  const file = await readCatalogFile(ref, 'empty');
  const before = parseCatalogText(file, file.text);
  const notes: AdoptNote[] = [];
  const streams = imageStreamsOf(request.input.text, request.input.name).map(({ object, where }) => {
    const cleaned = cleanedImageStream(object, notes);
    checkValid(cleaned, where);
    return adoptedStream(cleaned, before.defaults, where, notes);
  });
  checkConflicts(streams, before, request.replace === true);
  const text = streams.reduce((current, stream) => withAdoptedStream(current, stream, before, streams), file.text);
  const catalog = adoptedCatalog(file, text);
  return withLockedState(catalog.statePath, { operation: 'adopt', timeoutMs: request.lockTimeoutMs }, async (store) => {
    const recorded = await withRepositories(catalog, request, async (repositories) => {
      const local = catalogLocalStore(catalog, repositories.openTag);
      const histories: string[] = [];
      for (const stream of streams) {
        for (const tag of stream.tags) {
          const catalogTag = catalog.tags.find((t) => t.stream === stream.name && t.tag === tag.name);
          if (!catalogTag || tag.items.length === 0) continue;
          const value = await tagHistory(repositories.openTag(catalogTag), catalogTag, tag, { notes, store: local });
          if (!value) continue;
          await store.record({ op: 'setTag', stream: stream.name, tag: tag.name, value });
          histories.push(catalogTag.address);
        }
      }
      const mirrorFollower = async (ref: ReferenceTag, item: TagItem): Promise<TagItem | undefined> => {
        const origin = originOf(catalog, ref);
        if (!origin || !local) return undefined;
        const history = { spec: ref.spec, items: [item], conditions: [] };
        const mirrored = await mirroredHistory(repositories.openTag(origin), local, ref, history).catch(copyFailure);
        return 'failure' in mirrored ? undefined : mirrored.value.items[0];
      };
      return [...histories, ...(await recordFollowers(catalog, streams, store, { notes, mirrorFollower }))];
    });
    await writeCatalogText(file.path, text);
    await store.commit();
    return { streams: streams.map((s) => s.name), adoptedHistory: recorded, notes, catalogCreated: !file.exists };
  });
}

/**
 * The state of a tag from the cluster's history of it; undefined (with a note) when it cannot be adopted. A Local
 * tag's newest image is copied into the local store, as the cluster held it in its own registry.
 */
async function tagHistory(
  repo: ImageRepository,
  tag: CatalogTag,
  adopted: AdoptedTag,
  { notes, store }: { notes: AdoptNote[]; store: LocalStore | undefined },
): Promise<TagState | undefined> {
  const note = (field: string, reason: string) => notes.push({ stream: tag.stream, field, reason });
  const field = `status.tags["${tag.tag}"]`;
  const history = await adoptedHistory(repo, tag, adopted.items, adopted.conditions);
  if (!history.value) {
    const why = history.missing[0]?.reason ?? 'no image';
    note(
      field,
      `history not adopted: its newest image cannot be read from the source (${why}); the next plan imports the tag`,
    );
    return undefined;
  }
  for (const gone of history.missing) note(`${field} ${printable(gone.image)}`, `left out: ${gone.reason}`);
  if (tag.spec.referencePolicy !== 'Local') return history.value;
  if (!store) {
    note(field, 'history not adopted: the catalog has no local store; the next apply mirrors the tag');
    return undefined;
  }
  const mirrored = await mirroredHistory(repo, store, tag, history.value).catch(copyFailure);
  if ('failure' in mirrored) {
    note(field, `history not adopted: copying it into ${store.description} failed: ${mirrored.failure}`);
    return undefined;
  }
  for (const image of mirrored.leftOut) {
    note(`${field} ${image}`, `left out: only the newest image of a Local tag is copied into ${store.description}`);
  }
  return mirrored.value;
}

/** A copy that failed on the registry's side or the store's is said in a note; anything else is a defect. */
function copyFailure(error: unknown): { failure: string } {
  if (error instanceof RegistryError) return { failure: error.message };
  throw error;
}

/**
 * Refuses an ImageStream OpenShift would refuse: one breaking its definition, or with labels or annotations the API
 * server does not accept (a cluster holds none such: the input was written or changed by hand).
 */
function checkValid(object: Record<string, unknown>, where: string): void {
  const strict = imageStreamViolations(object);
  const violations = strict.length > 0 ? strict : metadataViolations(object.metadata as object);
  if (violations.length === 0) return;
  const name = (object.metadata as { name?: unknown } | undefined)?.name;
  const what = typeof name === 'string' ? `ImageStream ${quoted(name)}` : 'an ImageStream';
  throw new UsageError(`${where}: ${what} is not valid: ${violations.slice(0, 5).join('; ')}`);
}

function parseCatalogText(file: CatalogFileText, text: string): Catalog {
  const options = {
    displayPath: file.displayPath,
    ...(file.statePathOverride !== undefined && { statePathOverride: file.statePathOverride }),
    ...(file.allowedPaths !== undefined && { allowedPaths: file.allowedPaths }),
  };
  return parseCatalog(text, file.path, options);
}

/** The catalog with the adopted streams; what it cannot take is said, and nothing is written. */
function adoptedCatalog(file: CatalogFileText, text: string): Catalog {
  try {
    return parseCatalogText(file, text);
  } catch (error) {
    if (!(error instanceof CatalogError)) throw error;
    const problems = error.problems.map((p) => ({
      ...p,
      message: `${p.message} (in the adopted streams; nothing was written)`,
    }));
    throw new CatalogError(problems);
  }
}

function checkConflicts(streams: AdoptedStream[], catalog: Catalog, replace: boolean): void {
  const names = streams.map((s) => s.name);
  const twice = names.find((name, index) => names.indexOf(name) !== index);
  if (twice) throw new UsageError(`the input holds the ImageStream ${quoted(twice)} more than once`);
  if (replace) return;
  const existing = new Set([...(catalog.streams ?? []).map((s) => s.name), ...catalog.tags.map((t) => t.stream)]);
  const conflicts = names.filter((name) => existing.has(name));
  if (conflicts.length > 0) {
    throw new UsageError(
      `${catalog.displayPath} already has the stream${conflicts.length > 1 ? 's' : ''} ${conflicts.map((c) => `"${c}"`).join(', ')}: pass --replace to replace ${conflicts.length > 1 ? 'them' : 'it'} (nothing was written)`,
    );
  }
}

/** A Local follower's image copied into its own mirror, recorded as pulled from there; undefined when it cannot be. */
type MirrorFollower = (ref: ReferenceTag, item: TagItem) => Promise<TagItem | undefined>;

/** The imported tag a follower's image comes from, along the tags it follows. */
function originOf(catalog: Catalog, ref: ReferenceTag): CatalogTag | undefined {
  const followers = new Map((catalog.references ?? []).map((r) => [r.address, r]));
  const seen = new Set<string>();
  for (let address = targetAddress(ref.target); address && !seen.has(address); ) {
    seen.add(address);
    const imported = catalog.tags.find((t) => t.address === address);
    if (imported) return imported;
    const next = followers.get(address);
    address = next && targetAddress(next.target);
  }
  return undefined;
}

/**
 * Tags that follow another get the image the cluster recorded for them when it is the newest image adopted for the
 * tag they follow, as apply records a follower: its target's item. Followers of followers come after them.
 */
async function recordFollowers(
  catalog: Catalog,
  streams: AdoptedStream[],
  store: StateStore,
  { notes, mirrorFollower }: { notes: AdoptNote[]; mirrorFollower: MirrorFollower },
): Promise<string[]> {
  const cluster = new Map<string, AdoptedTag>(
    streams.flatMap((s) => s.tags.map((t) => [`${s.name}:${t.name}`, t] as const)),
  );
  const pending = (catalog.references ?? []).filter((ref) => (cluster.get(ref.address)?.items.length ?? 0) > 0);
  const recorded: string[] = [];
  for (let progress = true; progress; ) {
    progress = false;
    for (const ref of [...pending]) {
      const target = targetAddress(ref.target);
      const { target: followedTag } = ref;
      const followed =
        followedTag.kind === 'ImageStreamTag'
          ? recordedTag(store.state, followedTag.stream, followedTag.tag)?.items[0]
          : undefined;
      if (target && !followed && pending.some((p) => p.address === target)) continue;
      pending.splice(pending.indexOf(ref), 1);
      progress = true;
      const newest = cluster.get(ref.address)!.items[0]!;
      if (!followed || followed.digest !== newest.image) {
        const field = `status.tags["${ref.tag}"]`;
        notes.push({
          stream: ref.stream,
          field,
          reason: `history not adopted: it is not the image adopted for ${ref.spec.from}; the next plan sets it`,
        });
        continue;
      }
      const followedItem = { ...followed, created: newest.created, generation: newest.generation };
      const item = ref.spec.referencePolicy === 'Local' ? await mirrorFollower(ref, followedItem) : followedItem;
      if (!item) {
        notes.push({
          stream: ref.stream,
          field: `status.tags["${ref.tag}"]`,
          reason: 'history not adopted: its image could not be copied into the local store; the next apply mirrors it',
        });
        continue;
      }
      await store.record({
        op: 'setTag',
        stream: ref.stream,
        tag: ref.tag,
        value: { spec: ref.spec, items: [item], conditions: [] },
      });
      recorded.push(ref.address);
    }
  }
  return recorded;
}
