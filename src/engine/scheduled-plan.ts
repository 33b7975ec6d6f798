import type { Catalog, CatalogTag } from '../core/catalog.js';
import type { StreamDiscovery } from '../core/discovery.js';
import { UsageError } from '../core/errors.js';
import type { Plan } from '../core/plan-model.js';
import { computePlan, inScope } from '../core/planner.js';
import type { State } from '../core/state-model.js';
import { targetAddress } from '../core/tag-reference.js';
import { discoverStreams, discoveryInScope } from './discover.js';
import { type DiscoveryResult, withDiscoveredTags } from './discovered-catalog.js';
import { type PlanOptions, planCatalog, withDiscoveries } from './plan.js';

/** The scheduled tags of a catalog, the ones that follow their upstream; pinned tags are left out. */
export function scheduledTags(catalog: Catalog): CatalogTag[] {
  return catalog.tags.filter((t) => t.spec.scheduled);
}

/** The discoveries whose tags are scheduled: their streams follow the repository's new versions. */
export function scheduledDiscoveries(catalog: Catalog): StreamDiscovery[] {
  return (catalog.discoveries ?? []).filter((d) => d.scheduled);
}

/**
 * The addresses of the scheduled tags selected by `targets` (all of them when there are none). Each target must
 * select at least one scheduled tag, or name a stream whose discovered tags are scheduled (or a tag of it).
 */
export function scheduledTargets(catalog: Catalog, targets: readonly string[]): string[] {
  const scheduled = scheduledTags(catalog).map((t) => t.address);
  const discovering = scheduledDiscoveries(catalog);
  for (const target of targets) {
    if (scheduled.some((address) => inScope(address, [target]))) continue;
    if (discovering.some((d) => discoveryInScope(d, [target]))) continue;
    throw new UsageError(`--target ${JSON.stringify(target)} selects no scheduled tag of the catalog`);
  }
  return withFollowers(
    catalog,
    scheduled.filter((address) => inScope(address, targets)),
  );
}

/** `addresses` and the tags that follow one of them, directly or along a chain: they move when it moves. */
export function withFollowers(catalog: Catalog, addresses: string[]): string[] {
  const moving = new Set(addresses);
  let grown = true;
  while (grown) {
    grown = false;
    for (const ref of catalog.references ?? []) {
      const followed = targetAddress(ref.target);
      if (followed === undefined || moving.has(ref.address) || !moving.has(followed)) continue;
      moving.add(ref.address);
      grown = true;
    }
  }
  return [...moving];
}

/**
 * `plan --scheduled-only`: the plan restricted to the catalog's scheduled tags (within `options.targets`) and the tags
 * following them, so that a scheduled CI job sees upstream moves of the tags that follow them and nothing else. A
 * stream whose discovered tags are scheduled has its repository listed: the tags it keeps, adds and removes are in
 * the plan. With no scheduled tag it is an empty plan of the same state.
 */
export async function planScheduledTags(catalog: Catalog, state: State | null, options: PlanOptions): Promise<Plan> {
  const written = scheduledTargets(catalog, options.targets);
  const following = scheduledDiscoveries(catalog).filter((d) => discoveryInScope(d, options.targets));
  if (written.length === 0 && following.length === 0) return emptyPlan(catalog, state, options);
  const listed = await discoverStreams(catalog, {
    targets: [...written, ...following.map((d) => d.stream)],
    concurrency: options.concurrency,
    ...(options.discover && { discover: options.discover }),
  });
  const targets = scheduledAddresses(catalog, state, listed, options.targets);
  const discovered = listed.map((r) => (inPlan(r, targets) ? r : unlisted(r)));
  if (targets.length > 0) return planCatalog(catalog, state, { ...options, targets, discovered });
  return listingsOnly(catalog, state, listed, options);
}

/**
 * The targets `plan --scheduled-only` without `--target` records, given what the discoveries listed: a saved plan
 * whose targets are these was limited by `--scheduled-only`, and by no `--target` that took anything out.
 */
export function scheduledOnlyTargets(catalog: Catalog, state: State | null, listed: DiscoveryResult[]): string[] {
  const scheduled = listed.filter((r) => r.discovery.scheduled);
  const targets = scheduledAddresses(catalog, state, scheduled, []);
  if (targets.length > 0) return targets;
  return withDiscoveredTags(catalog, state, scheduled).discoveries.map((d) => d.stream);
}

/** The scheduled tags within `targets`, the tags the listed scheduled discoveries bring in, and their followers. */
function scheduledAddresses(
  catalog: Catalog,
  state: State | null,
  listed: readonly DiscoveryResult[],
  targets: readonly string[],
): string[] {
  const written = scheduledTargets(catalog, targets);
  return withFollowers(catalog, [...written, ...discoveredTargets(catalog, state, listed, targets)]);
}

/**
 * A plan of no tag that reports the scheduled discoveries' listings (kept nothing, or failed). Its targets are their
 * streams, its scope: no targets would take in every discovery, and a saved plan of it would then lack the others.
 */
function listingsOnly(catalog: Catalog, state: State | null, listed: DiscoveryResult[], options: PlanOptions): Plan {
  const { discoveries } = withDiscoveredTags(catalog, state, listed);
  const plan = withDiscoveries(emptyPlan(catalog, state, options), discoveries);
  return discoveries.length === 0 ? plan : { ...plan, targets: discoveries.map((d) => d.stream) };
}

/**
 * The addresses a scheduled discovery brings into the plan: the tags it keeps (and retains) and those it removes,
 * within `targets`. A pinned discovery brings none: its tags are not scheduled.
 */
function discoveredTargets(
  catalog: Catalog,
  state: State | null,
  results: readonly DiscoveryResult[],
  targets: readonly string[],
): string[] {
  const scheduled = results.filter((r) => r.discovery.scheduled);
  const found = withDiscoveredTags(catalog, state, scheduled);
  const kept = found.catalog.tags.slice(catalog.tags.length).map((t) => t.address);
  const removed = found.discoveries.flatMap((d) => d.removed.map((tag) => `${d.stream}:${tag}`));
  return [...kept, ...removed].filter((address) => inScope(address, targets));
}

/** A listing the plan reports: it takes in some of the plan's tags, or it failed (the plan then fails). */
function inPlan(result: DiscoveryResult, targets: readonly string[]): boolean {
  return result.outcome.kind === 'failed' || discoveryInScope(result.discovery, targets);
}

function unlisted(result: DiscoveryResult): DiscoveryResult {
  return { discovery: result.discovery, outcome: { kind: 'unlisted' } };
}

function emptyPlan(catalog: Catalog, state: State | null, options: PlanOptions): Plan {
  const empty = computePlan({
    catalog: { displayPath: catalog.displayPath, sha256: catalog.sha256, tags: [] },
    state: null,
    observations: new Map(),
    targets: [],
    reimport: new Set(),
    now: options.now ?? new Date(),
  });
  return { ...empty, priorState: state ? { lineage: state.lineage, serial: state.serial } : null };
}
