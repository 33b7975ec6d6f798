import type { Catalog } from '../../core/catalog.js';
import { PlanMismatchError, type RegistryError } from '../../core/errors.js';
import { PLAN_FORMAT_VERSION, type Plan, type PlanDocument, type PlanLimit } from '../../core/plan-model.js';
import { computePlan } from '../../core/planner.js';
import type { State } from '../../core/state-model.js';
import { targetSelection } from '../../core/target-selection.js';
import { planDocument } from '../../render/plan-json.js';
import { planProblems } from '../../state/plan-schema.js';
import { formatProblems } from '../../state/state-schema.js';
import { type DiscoveryResult, withDiscoveredTags } from '../discovered-catalog.js';
import { localPullSpecs } from '../local-store.js';
import { unknownAddress, withDiscoveries } from '../plan.js';
import { scheduledOnlyTargets } from '../scheduled-plan.js';
import { discoveriesDifference, planDifference } from './difference.js';
import { frozenDiscoveries, type PolicyOfDiscovery } from './frozen-discoveries.js';
import { mismatch } from './mismatch.js';
import { type ObservationSources, readObservations } from './observations.js';

/** Reads the plan out of a plan file's payload, refusing what this version cannot apply or what is not a plan. */
export function asPlan(value: unknown, file: string): PlanDocument {
  const plan = value as Partial<PlanDocument> | null;
  const major = (v: unknown) => (typeof v === 'string' ? v.split('.')[0] : undefined);
  if (!plan || typeof plan !== 'object' || Array.isArray(plan) || !Array.isArray(plan.changes)) {
    throw new PlanMismatchError(`${file} does not hold a plan`);
  }
  if (major(plan.formatVersion) !== major(PLAN_FORMAT_VERSION)) {
    throw new PlanMismatchError(
      `${file} has plan format ${printableVersion(plan.formatVersion)}; this version applies ${PLAN_FORMAT_VERSION}`,
    );
  }
  if (plan.formatVersion !== PLAN_FORMAT_VERSION) {
    throw new PlanMismatchError(
      `${file} has plan format ${printableVersion(plan.formatVersion)}, newer than this version applies (${PLAN_FORMAT_VERSION}); upgrade imagestreams`,
    );
  }
  const problems = planProblems(plan);
  if (problems.length > 0) {
    throw new PlanMismatchError(
      `Saved plan ${file} is malformed (see schemas/plan.schema.json):\n${formatProblems(problems)}`,
    );
  }
  return plan as PlanDocument;
}

function printableVersion(version: unknown): string {
  return typeof version === 'string' && /^\d{1,6}(\.\d{1,6})?$/.test(version) ? version : 'unknown';
}

/**
 * A saved plan applies only to the state and catalog it was made from (Terraform's stale-plan rule):
 * same lineage, same serial, same catalog bytes.
 */
export function assertPlanApplies(
  plan: Pick<Plan, 'catalog' | 'priorState'>,
  catalog: Pick<Catalog, 'sha256' | 'displayPath'>,
  state: State,
  stateExists: boolean,
): void {
  if (plan.catalog.sha256 !== catalog.sha256) {
    throw new PlanMismatchError(
      `Saved plan is stale: the catalog ${catalog.displayPath} changed since the plan was made; run plan again`,
    );
  }
  if (plan.priorState === null) {
    if (stateExists)
      throw new PlanMismatchError('Saved plan is stale: the state was written since the plan was made; run plan again');
    return;
  }
  if (!stateExists || plan.priorState.lineage !== state.lineage) {
    throw new PlanMismatchError(
      'Saved plan does not match the given state: it was made for another state file (lineage differs)',
    );
  }
  if (plan.priorState.serial !== state.serial) {
    throw new PlanMismatchError(
      `Saved plan is stale: the state changed since the plan was made (serial ${plan.priorState.serial}, now ${state.serial}); run plan again`,
    );
  }
}

/** A saved plan proven: the plan apply performs, derived from trusted inputs and the observations verified. */
export interface ProvenPlan {
  plan: Plan;
  /** The catalog the plan was derived for: its tags and the tags its streams discovered, as the plan recorded them. */
  catalog: Catalog;
  /** Imports whose planned image could not be read from their source: apply records them as failed imports. */
  unreadable: ReadonlyMap<string, RegistryError>;
  /** What limited the plan to its targets; undefined without targets. */
  limitedBy: PlanLimit | undefined;
}

/** Where a saved plan's observations are checked: the tags' sources, and the policies of discoveries. */
export interface ProvingSources extends ObservationSources {
  /** Needed when the catalog discovers tags. */
  policy?: PolicyOfDiscovery;
}

/**
 * Proves a saved plan (already checked by `assertPlanApplies`): derives the plan again from the catalog, the state
 * and the plan's observations — the tags each discovery kept (checked against the catalog's policy; nothing is
 * listed again), and the `sourceDigest` of each import, whose image is read by digest from the tag's own source
 * and verified — and refuses it unless it holds exactly the derived changes and discoveries. A plan is then only a
 * record of what the registries said: it cannot choose another child, source, spec or tag, nor remove a tag the
 * catalog has. The plan's `targets` and its `reimport_requested` reasons are the requests plan was made with.
 */
export async function proveSavedPlan(
  saved: PlanDocument,
  catalog: Catalog,
  state: State | null,
  sources: ProvingSources,
): Promise<ProvenPlan> {
  if (listsNothing(saved)) {
    assertTargetsKnown(catalog, state, saved.targets);
    return { plan: emptyPlan(saved), catalog, unreadable: new Map(), limitedBy: targetLimit(saved.targets) };
  }
  const listed = await frozenListings(saved, catalog, sources.policy);
  const found = withDiscoveredTags(catalog, state, listed);
  assertTargetsKnown(found.catalog, state, saved.targets);
  const limitedBy = savedPlanLimit(saved.targets, catalog, state, listed);
  if (saved.changes.length === 0 && saved.errors.length === 0) {
    const difference = discoveriesDifference(found.discoveries, saved.discoveries);
    if (difference !== undefined) throw mismatch(difference);
    return { plan: emptyPlan(saved), catalog: found.catalog, unreadable: new Map(), limitedBy };
  }
  const reimport = new Set(saved.changes.filter((c) => c.reason === 'reimport_requested').map((c) => c.address));
  const { tags, references } = found.catalog;
  const selected = targetSelection(tags, saved.targets, references);
  const scope = tags.filter((t) => selected(t.address));
  const { observations, unreadable } = await readObservations(saved, scope, state, reimport, sources);
  const derived = computePlan({
    catalog: { displayPath: saved.catalog.path, sha256: catalog.sha256, tags, ...(references && { references }) },
    state,
    observations,
    targets: saved.targets,
    reimport,
    now: new Date(),
    localPullSpec: localPullSpecs(sources.local),
  });
  const plan = withDiscoveries(derived, found.discoveries);
  const difference = planDifference(saved, planDocument(plan), new Set(unreadable.keys()));
  if (difference !== undefined) throw mismatch(difference);
  return { plan: { ...plan, createdAt: saved.createdAt }, catalog: found.catalog, unreadable, limitedBy };
}

/** The targets name streams or tags of the catalog (a discovering stream, a discovered tag) or of the state. */
function assertTargetsKnown(catalog: Catalog, state: State | null, targets: readonly string[]): void {
  if (unknownAddress(catalog, state, targets) !== undefined) {
    throw mismatch('its targets name a stream or tag that is neither in the catalog nor in the state');
  }
}

/** What the saved plan's discoveries kept (or that their listing failed), in place of listing again. */
async function frozenListings(
  saved: PlanDocument,
  catalog: Catalog,
  policy: PolicyOfDiscovery | undefined,
): Promise<DiscoveryResult[]> {
  if ((catalog.discoveries ?? []).length === 0) {
    if ((saved.discoveries ?? []).length > 0) throw mismatch('it records discoveries the catalog does not make');
    return [];
  }
  if (!policy) throw new Error('the catalog discovers tags, and the proof was given no policy to check them with');
  return frozenDiscoveries(saved, catalog, policy);
}

/**
 * What limited a saved plan to its targets, which the plan file records without the option that chose them:
 * `--scheduled-only` when they are exactly the targets `plan --scheduled-only` derives from the catalog, the state
 * and the listings the plan recorded; `--target` otherwise. The plan is the same either way, so a --target naming
 * exactly those tags reads as --scheduled-only, and --scheduled-only narrowed by a --target as --target.
 */
function savedPlanLimit(
  targets: readonly string[],
  catalog: Catalog,
  state: State | null,
  listed: DiscoveryResult[],
): PlanLimit | undefined {
  if (targets.length === 0) return undefined;
  const scheduled = new Set(scheduledOnlyTargets(catalog, state, listed));
  const given = new Set(targets);
  const same = given.size === scheduled.size && [...given].every((address) => scheduled.has(address));
  return same ? 'scheduled-only' : 'target';
}

/** What limited a plan made with `--target` (any plan but a saved one of the scheduled tags): its targets, if any. */
export function targetLimit(targets: readonly string[]): PlanLimit | undefined {
  return targets.length === 0 ? undefined : 'target';
}

/** No change, error or discovery: `plan --scheduled-only` of a catalog without scheduled tags. */
function listsNothing(saved: PlanDocument): boolean {
  return saved.changes.length === 0 && saved.errors.length === 0 && (saved.discoveries ?? []).length === 0;
}

/** A plan that lists nothing (`plan --scheduled-only` of a catalog without scheduled tags) does nothing. */
function emptyPlan(saved: PlanDocument): Plan {
  const { create, update, delete: remove, noop, drift, error } = saved.summary;
  if (create + update + remove + noop + drift + error + saved.drift.length > 0) {
    throw mismatch('it counts changes it does not list');
  }
  return { ...saved, changes: [], drift: [], summary: { create, update, delete: remove, noop, drift, error } };
}
