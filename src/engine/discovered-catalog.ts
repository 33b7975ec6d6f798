import { allCatalogTags, type Catalog, type CatalogTag, type TagSpec } from '../core/catalog.js';
import type { DiscoveredTags, DiscoveryPolicy, StreamDiscovery } from '../core/discovery.js';
import { discoveredNameError } from '../core/discovery-conflicts.js';
import { discoveredCatalogTag } from '../core/discovery-tags.js';
import type { ImportReason } from '../core/errors.js';
import type { PlannedDiscovery } from '../core/plan-model.js';
import { formatImageSource } from '../core/reference.js';
import type { State, TagState } from '../core/state-model.js';

/** What became of a stream's discovery in one plan. */
export type DiscoveryOutcome =
  | { kind: 'listed'; found: DiscoveredTags }
  | { kind: 'failed'; reason: ImportReason; message: string }
  /** Not listed (outside the plan's targets): the discovered tags stay as the state has them, silently. */
  | { kind: 'unlisted' };

export interface DiscoveryResult {
  discovery: StreamDiscovery;
  outcome: DiscoveryOutcome;
}

/** The catalog with each stream's discovered tags as tags of the stream, and what each listed discovery found. */
export interface DiscoveredCatalog {
  catalog: Catalog;
  discoveries: PlannedDiscovery[];
}

/**
 * Makes the discovered tags tags of their streams: the kept ones with the discovery's defaults (`from` is the listed
 * repository at that tag); tags discovered earlier that left the window are left out (so that plan removes them)
 * unless the discovery keeps them (`prune: false`). A failed or unlisted discovery keeps the stream's discovered
 * tags exactly as the state has them.
 */
export function withDiscoveredTags(
  catalog: Catalog,
  state: State | null,
  results: readonly DiscoveryResult[],
): DiscoveredCatalog {
  const tags: CatalogTag[] = [];
  const discoveries: PlannedDiscovery[] = [];
  for (const { discovery, outcome } of results) {
    const explicit = explicitTagNames(catalog, discovery.stream);
    const prior = priorDiscovered(state, discovery, explicit);
    if (outcome.kind !== 'listed') {
      tags.push(...prior.map(([name, tagState]) => stateTag(catalog, discovery, name, tagState)));
      if (outcome.kind === 'failed') {
        const error = { reason: outcome.reason, message: outcome.message };
        discoveries.push({ ...planned(discovery, emptyCounts(), []), error });
      }
      continue;
    }
    const clash = discoveredNameError(catalog, discovery, outcome.found.kept);
    if (clash) throw clash;
    const kept = new Set(outcome.found.kept);
    const left = prior.map(([name]) => name).filter((name) => !kept.has(name));
    const retained = discovery.prune ? [] : left;
    tags.push(...[...kept, ...retained].map((name) => discoveredTag(catalog, discovery, name)));
    const before = new Set(prior.map(([name]) => name));
    discoveries.push({
      ...planned(discovery, outcome.found, outcome.found.kept),
      added: outcome.found.kept.filter((name) => !before.has(name)),
      removed: discovery.prune ? left : [],
      retained,
    });
  }
  return { catalog: { ...catalog, tags: [...catalog.tags, ...tags] }, discoveries };
}

type Counts = Omit<DiscoveredTags, 'kept'>;

function emptyCounts(): Counts {
  return { listed: 0, filtered: 0, unordered: 0, outOfRange: 0 };
}

function planned(discovery: StreamDiscovery, counts: Counts, kept: string[]): PlannedDiscovery {
  return {
    stream: discovery.stream,
    repository: discoveryRepository(discovery),
    policy: policyWords(discovery.policy),
    keep: discovery.keep,
    prune: discovery.prune,
    tags: [...kept],
    listed: counts.listed,
    filtered: counts.filtered,
    unordered: counts.unordered,
    outOfRange: counts.outOfRange,
    added: [],
    removed: [],
    retained: [],
  };
}

/** The repository a discovery lists, for plans: normalised (`docker.io/library/postgres`), an image layout as written. */
export function discoveryRepository(discovery: StreamDiscovery): string {
  return discovery.source.transport === 'registry' ? formatImageSource(discovery.source) : discovery.from;
}

/** `semver >=15 <18`, `alphabetical desc`, `numerical asc`. */
export function policyWords(policy: DiscoveryPolicy): string {
  return policy.kind === 'semver' ? `semver ${policy.range}` : `${policy.kind} ${policy.order}`;
}

/** The names of the tags the catalog writes in `stream` (imported or following another). */
export function explicitTagNames(catalog: Catalog, stream: string): Set<string> {
  return new Set(
    allCatalogTags(catalog)
      .filter((t) => t.stream === stream)
      .map((t) => t.tag),
  );
}

/**
 * The tags of the stream the state holds that an earlier discovery made: imported from the repository as `from`
 * writes it, at the tag's own name, and not written in the catalog. In name order.
 */
export function priorDiscovered(
  state: State | null,
  discovery: StreamDiscovery,
  explicit: ReadonlySet<string>,
): [string, TagState][] {
  const tags = state?.streams[discovery.stream]?.tags ?? {};
  return Object.entries(tags)
    .filter(([name, prior]) => !explicit.has(name) && isFromRepository(prior.spec, discovery, name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function isFromRepository(spec: TagSpec, discovery: StreamDiscovery, name: string): boolean {
  return spec.fromKind === undefined && spec.from === `${discovery.from}:${name}`;
}

function discoveredTag(catalog: Catalog, discovery: StreamDiscovery, name: string): CatalogTag {
  return discoveredCatalogTag(discovery, name, catalog.defaults);
}

/** A discovered tag as the state has it (its spec untouched), for a discovery that was not listed. */
function stateTag(catalog: Catalog, discovery: StreamDiscovery, name: string, prior: TagState): CatalogTag {
  return { ...discoveredCatalogTag(discovery, name, catalog.defaults), spec: prior.spec };
}
