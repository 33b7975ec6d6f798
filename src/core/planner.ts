import { allCatalogTags, type CatalogTag, type ReferenceTag } from './catalog.js';
import type { ImportReason } from './errors.js';
import { change, importReason, platformRows, tagState } from './plan-changes.js';
import { copySummary, withCopyTotals, withFollowerCopies } from './plan-copies.js';
import {
  type ChangeAction,
  PLAN_FORMAT_VERSION,
  type Plan,
  type PlannedChange,
  type PlannedCopy,
  type PlannedDrift,
  type PlannedError,
  type PlannedItem,
  type PlanSummary,
} from './plan-model.js';
import { planReferences } from './reference-planner.js';
import type { State, TagState } from './state-model.js';
import { targetSelection } from './target-selection.js';

/** What refreshing a tag against its source found. */
export type Observation =
  /** The source still resolves to the tag's current item (or was not asked: --refresh=false, digest-pinned source). */
  | { kind: 'unchanged' }
  /** The source was resolved and its manifest read: this is what an import would record (and copy, for Local). */
  | { kind: 'resolved'; item: PlannedItem; copy?: PlannedCopy }
  | { kind: 'error'; reason: ImportReason; message: string };

export interface PlanInput {
  catalog: { displayPath: string; sha256: string; tags: CatalogTag[]; references?: ReferenceTag[] };
  state: State | null;
  /** By address, for every catalog tag in scope. */
  observations: ReadonlyMap<string, Observation>;
  targets: string[];
  reimport: ReadonlySet<string>;
  now: Date;
  /** Where a Local tag that follows another pulls an image from: its mirror in the local store (none: no store). */
  localPullSpec?: (stream: string, digest: string) => string | undefined;
  /**
   * By address, what each Local tag that follows another and changes would copy into its own repository of the
   * local store as the store is now (see withFollowerCopies); a follower not in it has no copy estimate.
   */
  followerCopies?: ReadonlyMap<string, PlannedCopy>;
}

export { importReason, platformRows, specEquals, tagState } from './plan-changes.js';
export { inScope } from './target-selection.js';

/** Computes the plan: pure data from the catalog, the state and what refresh observed. */
export function computePlan(input: PlanInput): Plan {
  const changes: PlannedChange[] = [];
  const drift: PlannedDrift[] = [];
  const errors: PlannedError[] = [];
  const inCatalog = new Set<string>();
  const copies: PlannedCopy[] = [];
  const selected = targetSelection(input.catalog.tags, input.targets, input.catalog.references);

  for (const tag of input.catalog.tags) {
    inCatalog.add(tag.address);
    if (!selected(tag.address)) continue;
    const prior = tagState(input.state, tag.stream, tag.tag);
    const observation = input.observations.get(tag.address) ?? { kind: 'unchanged' };
    if (observation.kind === 'error') {
      errors.push({ address: tag.address, reason: observation.reason, message: observation.message });
      continue;
    }
    const planned = planTag(tag, prior, observation, input.reimport);
    if ('drift' in planned) {
      drift.push(planned.drift);
      changes.push(planned.change);
    } else changes.push(withCopy(planned, observation, copies));
  }

  const references = input.catalog.references ?? [];
  if (references.length > 0) {
    for (const ref of references) inCatalog.add(ref.address);
    const followers = planReferences({ ...input, tags: input.catalog.tags, references, changes, errors });
    changes.push(...followers.changes);
    errors.push(...followers.errors);
    const order = catalogOrder(input.catalog);
    changes.sort((a, b) => order(a.address) - order(b.address));
    errors.sort((a, b) => order(a.address) - order(b.address));
  }

  for (const [address, stream, tag, prior] of removedTags(input.state, (a) => !inCatalog.has(a) && selected(a))) {
    changes.push(deletion(address, stream, tag, prior));
  }

  const planned = input.followerCopies ? withFollowerCopies(changes, input.followerCopies, copies) : changes;
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    createdAt: input.now.toISOString(),
    priorState: input.state ? { lineage: input.state.lineage, serial: input.state.serial } : null,
    catalog: { path: input.catalog.displayPath, sha256: input.catalog.sha256 },
    targets: [...input.targets],
    changes: planned,
    drift,
    errors,
    summary: withCopyTotals(summarize(planned, drift, errors), copies),
  };
}

/** Position of a tag in the catalog, for listing imported and following tags in the order they are written. */
function catalogOrder(catalog: PlanInput['catalog']): (address: string) => number {
  const positions = new Map(allCatalogTags(catalog).map((tag, i) => [tag.address, i]));
  return (address) => positions.get(address) ?? positions.size;
}

/** An import of a Local tag says what it copies into the local store; `copies` collects it for the summary. */
function withCopy(
  change: PlannedChange,
  observation: Exclude<Observation, { kind: 'error' }>,
  copies: PlannedCopy[],
): PlannedChange {
  const copy = observation.kind === 'resolved' ? observation.copy : undefined;
  if (!copy || (change.action !== 'create' && change.action !== 'update')) return change;
  copies.push(copy);
  return { ...change, copy: copySummary(copy) };
}

type TagPlan = PlannedChange | { change: PlannedChange; drift: PlannedDrift };

function planTag(
  tag: CatalogTag,
  prior: TagState | undefined,
  observation: Exclude<Observation, { kind: 'error' }>,
  reimport: ReadonlySet<string>,
): TagPlan {
  const current = prior?.items[0] ?? null;
  const forced = importReason(tag, prior, reimport);
  const resolved = observation.kind === 'resolved' ? observation.item : null;
  if (forced) {
    if (!resolved) throw new Error(`tag ${tag.address} must be imported but its source was not resolved`);
    return change(tag, forced === 'new_tag' ? 'create' : 'update', forced, prior, resolved);
  }
  if (!resolved || !current || resolved.sourceDigest === current.sourceDigest) {
    return change(tag, 'noop', null, prior, current);
  }
  if (tag.spec.scheduled) return change(tag, 'update', 'upstream_moved', prior, resolved);
  return {
    change: change(tag, 'noop', null, prior, current),
    drift: {
      address: tag.address,
      from: tag.spec.from,
      importMode: tag.spec.importMode,
      current: current.digest,
      upstream: resolved.digest,
      platforms: platformRows(current.manifests, resolved.manifests),
    },
  };
}

function deletion(address: string, stream: string, tag: string, prior: TagState): PlannedChange {
  const before = prior.items[0] ?? null;
  return {
    address,
    stream,
    tag,
    action: 'delete',
    reason: 'removed_from_catalog',
    from: prior.spec.from,
    importMode: prior.spec.importMode,
    referencePolicy: prior.spec.referencePolicy,
    scheduled: prior.spec.scheduled,
    selectedBy: null,
    spec: null,
    priorSpec: null,
    before,
    after: null,
    platforms: platformRows(before?.manifests ?? [], []),
  };
}

/** The state's tags whose address `removed` accepts, by stream then tag; only those are sorted (usually none). */
function removedTags(state: State | null, removed: (address: string) => boolean): [string, string, string, TagState][] {
  const found: [string, string, string, TagState][] = [];
  for (const [stream, streamState] of Object.entries(state?.streams ?? {})) {
    for (const [tag, prior] of Object.entries(streamState.tags)) {
      const address = `${stream}:${tag}`;
      if (removed(address)) found.push([address, stream, tag, prior]);
    }
  }
  return found.sort(([, s1, t1], [, s2, t2]) => s1.localeCompare(s2) || t1.localeCompare(t2));
}

function summarize(changes: PlannedChange[], drift: PlannedDrift[], errors: PlannedError[]): PlanSummary {
  const count = (action: ChangeAction) => changes.filter((c) => c.action === action).length;
  return {
    create: count('create'),
    update: count('update'),
    delete: count('delete'),
    noop: count('noop'),
    drift: drift.length,
    error: errors.length,
  };
}
