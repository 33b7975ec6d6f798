import type { CatalogTag } from '../../core/catalog.js';
import { RegistryError } from '../../core/errors.js';
import type { PlanDocument, PlannedItem } from '../../core/plan-model.js';
import { importReason, type Observation, tagState } from '../../core/planner.js';
import type { State } from '../../core/state-model.js';
import type { ImageRepository } from '../../registry/repository.js';
import { mapConcurrent } from '../concurrency.js';
import type { LocalStore } from '../local-store.js';
import { localItem } from '../refresh.js';
import { resolveItem } from '../resolve-item.js';
import { mismatch, safeAddress } from './mismatch.js';

export interface ObservationSources {
  openTag: (tag: CatalogTag) => ImageRepository;
  local?: LocalStore;
  concurrency: number;
}

/** What a saved plan observed, re-read from the registries: the planner's input for each tag in scope. */
export interface ReadObservations {
  observations: Map<string, Observation>;
  /**
   * Imports whose planned image could not be read (the registry failed, or no longer holds it): they fail as an
   * import would. The planner is given a stand-in item for them, holding only the planned `sourceDigest`.
   */
  unreadable: Map<string, RegistryError>;
}

/**
 * The observations a saved plan carries, for each catalog tag in `scope`: what the tag's source resolved to (the
 * `sourceDigest` of each import, whose image is fetched by digest from the tag's source, verified, and resolved as
 * plan resolves it), that an error was seen, or nothing new (a noop). A tag the plan says nothing about, a tag that
 * must be imported and is not, and a digest-pinned tag observed at another digest are refused before anything is read.
 */
export async function readObservations(
  saved: PlanDocument,
  scope: CatalogTag[],
  state: State | null,
  reimport: ReadonlySet<string>,
  sources: ObservationSources,
): Promise<ReadObservations> {
  const changes = byAddress(saved.changes);
  const errors = byAddress(saved.errors);
  const read: ReadObservations = { observations: new Map(), unreadable: new Map() };
  const imports: [CatalogTag, string][] = [];
  for (const tag of scope) {
    const error = errors.get(tag.address);
    const change = changes.get(tag.address);
    if (error) read.observations.set(tag.address, { kind: 'error', reason: error.reason, message: error.message });
    else if (change?.after && (change.action === 'create' || change.action === 'update')) {
      assertPinnedDigest(tag, change.after.sourceDigest);
      imports.push([tag, change.after.sourceDigest]);
    } else if (change) {
      assertNotToImport(tag, state, reimport);
      read.observations.set(tag.address, { kind: 'unchanged' });
    } else throw mismatch(`it lists nothing for ${tag.address}`);
  }
  await mapConcurrent(imports, sources.concurrency, async ([tag, sourceDigest]) => {
    read.observations.set(tag.address, await observe(tag, sourceDigest, sources, read.unreadable));
  });
  return read;
}

/** A tag whose source the catalog pins to a digest can only have observed that digest. */
function assertPinnedDigest(tag: CatalogTag, sourceDigest: string): void {
  const pinned = tag.source.ref.digest;
  if (pinned !== undefined && pinned !== sourceDigest) {
    throw mismatch(`the catalog pins ${tag.address} to a digest, and the plan imports another one for it`);
  }
}

/** A tag that must be imported (new, spec changed, --reimport) cannot be left as it is. */
function assertNotToImport(tag: CatalogTag, state: State | null, reimport: ReadonlySet<string>): void {
  const reason = importReason(tag, tagState(state, tag.stream, tag.tag), reimport);
  if (reason) throw mismatch(`${tag.address} must be imported (${reason}), and the plan does not import it`);
}

async function observe(
  tag: CatalogTag,
  sourceDigest: string,
  sources: ObservationSources,
  unreadable: Map<string, RegistryError>,
): Promise<Observation> {
  try {
    return { kind: 'resolved', item: await plannedItem(tag, sourceDigest, sources) };
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    unreadable.set(tag.address, error);
    return { kind: 'resolved', item: standIn(sourceDigest) };
  }
}

/** What plan records for `tag` when its source resolves to `sourceDigest`, read from the tag's own source. */
async function plannedItem(tag: CatalogTag, sourceDigest: string, sources: ObservationSources): Promise<PlannedItem> {
  const repo = sources.openTag(tag);
  const fetched = await repo.getManifest(sourceDigest);
  if (fetched.digest !== sourceDigest) {
    throw new RegistryError('InvalidManifest', `${repo.name} answered ${sourceDigest} with another manifest`);
  }
  const item = await resolveItem(repo, tag, fetched);
  if (tag.spec.referencePolicy !== 'Local' || !sources.local) return item;
  return localItem(item, sources.local.open(tag.stream));
}

function standIn(sourceDigest: string): PlannedItem {
  return { sourceDigest, digest: sourceDigest, mediaType: '', dockerImageReference: '', manifests: [] };
}

/** Entries by address; an address listed twice is refused. */
function byAddress<T extends { address: string }>(entries: T[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const entry of entries) {
    if (map.has(entry.address)) throw mismatch(`it lists ${safeAddress(entry.address)} twice`);
    map.set(entry.address, entry);
  }
  return map;
}
