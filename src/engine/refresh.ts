import type { CatalogTag, ReferenceTag } from '../core/catalog.js';
import { RegistryError } from '../core/errors.js';
import type { PlannedItem } from '../core/plan-model.js';
import { importReason, type Observation, tagState } from '../core/planner.js';
import type { State, TagState } from '../core/state-model.js';
import { targetSelection } from '../core/target-selection.js';
import type { ImageDestination } from '../registry/destination.js';
import { type FetchedManifest, headUnlessAt, type ImageRepository } from '../registry/repository.js';
import { mapConcurrent } from './concurrency.js';
import type { LocalStore } from './local-store.js';
import { DestinationChecks, planCopy } from './mirror/plan.js';
import { prepareDestinations } from './mirror/prepare.js';
import { resolveItem, sourceReference } from './resolve-item.js';

export interface RefreshOptions {
  targets: string[];
  reimport: ReadonlySet<string>;
  /** false: do not ask registries about tags that need no import (Terraform's -refresh=false). */
  refresh: boolean;
  concurrency: number;
  openRepository: (tag: CatalogTag) => ImageRepository;
  /** Where Local tags are mirrored: their items name it, and their imports say what they would copy into it. */
  local?: LocalStore;
  /** The tags that follow others: a targeted one takes the tags it follows into the selection. */
  references?: readonly ReferenceTag[];
}

/**
 * Observes each catalog tag in scope: one HEAD for a tag that needs no import (a GET only when its upstream moved),
 * the manifest by digest for tags that must be imported, nothing at all for digest-pinned sources already imported.
 */
export async function refreshTags(
  tags: CatalogTag[],
  state: State | null,
  options: RefreshOptions,
): Promise<Map<string, Observation>> {
  const inSelection = targetSelection(tags, options.targets, options.references);
  const selected = tags.filter((t) => inSelection(t.address));
  const checks = new DestinationChecks();
  const preparing =
    options.local && prepareDestinations(options.local, copiedStreams(selected, state, options), 'read');
  const observations = await mapConcurrent(selected, options.concurrency, (tag) =>
    observe(tag, state, options, checks),
  );
  await preparing;
  return new Map(selected.map((tag, i) => [tag.address, observations[i]!]));
}

/** The streams of the Local tags that must be imported: what they would copy is checked in their mirror. */
function copiedStreams(tags: CatalogTag[], state: State | null, options: RefreshOptions): Set<string> {
  const copied = tags.filter(
    (tag) =>
      tag.spec.referencePolicy === 'Local' &&
      importReason(tag, tagState(state, tag.stream, tag.tag), options.reimport) !== undefined,
  );
  return new Set(copied.map((tag) => tag.stream));
}

/**
 * Gets the sources `refreshTags` will certainly ask ready (see ImageRepository.prepare), while the caller reads the
 * state: those of the selected tags that follow a tag, not a digest, when refreshing. Each is told how many of its
 * tags are among the first `concurrency` of those, the ones `refreshTags` asks registries about at once (a tag pinned
 * by digest and imported, or read from a layout, is answered without one). Settles once all are, never failing.
 */
export async function prepareSources(
  tags: CatalogTag[],
  options: Pick<RefreshOptions, 'targets' | 'refresh' | 'openRepository' | 'references' | 'concurrency'>,
): Promise<void> {
  if (!options.refresh) return;
  const inSelection = targetSelection(tags, options.targets, options.references);
  const followed = tags.filter(
    (tag) => tag.source.transport === 'registry' && tag.source.ref.digest === undefined && inSelection(tag.address),
  );
  const requests = new Map<ImageRepository, number>();
  try {
    for (const [at, tag] of followed.entries()) {
      const repository = options.openRepository(tag);
      requests.set(repository, (requests.get(repository) ?? 0) + (at < options.concurrency ? 1 : 0));
    }
  } catch {
    // the tag's own observation meets the error again and reports it
  }
  const ignoreFailure = () => undefined;
  await Promise.all([...requests].map(([repository, count]) => repository.prepare?.(count).catch(ignoreFailure)));
}

async function observe(
  tag: CatalogTag,
  state: State | null,
  options: RefreshOptions,
  checks: DestinationChecks,
): Promise<Observation> {
  const prior = tagState(state, tag.stream, tag.tag);
  const mustImport = importReason(tag, prior, options.reimport) !== undefined;
  const pinnedByDigest = tag.source.ref.digest !== undefined;
  if (!mustImport && (!options.refresh || pinnedByDigest)) return { kind: 'unchanged' };
  try {
    const repo = options.openRepository(tag);
    const fetched = mustImport ? await repo.getManifest(sourceReference(tag)) : await fetchIfMoved(repo, tag, prior);
    if (!fetched) return { kind: 'unchanged' };
    const item = await resolveItem(repo, tag, fetched);
    if (tag.spec.referencePolicy !== 'Local' || !options.local) return { kind: 'resolved', item };
    const target = options.local.open(tag.stream);
    const local = localItem(item, target);
    // A pinned tag whose upstream moved is only reported (drift): nothing would be copied.
    if (!mustImport && !tag.spec.scheduled) return { kind: 'resolved', item: local };
    const copy = await planCopy(repo, target, { digest: item.digest, tag: tag.tag }, fetched, checks);
    return { kind: 'resolved', item: local, copy };
  } catch (error) {
    if (error instanceof RegistryError) return { kind: 'error', reason: error.reason, message: error.message };
    throw error;
  }
}

/** The item of a Local tag: pulled from its mirror in the local store, and from where it was copied. */
export function localItem(item: PlannedItem, target: ImageDestination): PlannedItem {
  return {
    ...item,
    dockerImageReference: target.pullSpec(item.digest),
    sourceImageReference: item.dockerImageReference,
  };
}

/** One HEAD for a tag that needs no import; its manifest only when the upstream moved. */
async function fetchIfMoved(
  repo: ImageRepository,
  tag: CatalogTag,
  prior: TagState | undefined,
): Promise<FetchedManifest | undefined> {
  const reference = sourceReference(tag);
  const current = prior?.items[0]?.sourceDigest;
  const moved = current ? await headUnlessAt(repo, reference, current) : await repo.head(reference);
  return moved && repo.getManifest(moved.digest);
}
