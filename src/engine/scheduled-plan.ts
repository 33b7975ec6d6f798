import type { Catalog, CatalogTag } from '../core/catalog.js';
import { UsageError } from '../core/errors.js';
import type { Plan } from '../core/plan-model.js';
import { computePlan, inScope } from '../core/planner.js';
import type { State } from '../core/state-model.js';
import { targetAddress } from '../core/tag-reference.js';
import { type PlanOptions, planCatalog } from './plan.js';

/** The scheduled tags of a catalog, the ones that follow their upstream; pinned tags are left out. */
export function scheduledTags(catalog: Catalog): CatalogTag[] {
  return catalog.tags.filter((t) => t.spec.scheduled);
}

/**
 * The addresses of the scheduled tags selected by `targets` (all of them when there are none). Each target must
 * select at least one scheduled tag.
 */
export function scheduledTargets(catalog: Catalog, targets: readonly string[]): string[] {
  const scheduled = scheduledTags(catalog).map((t) => t.address);
  for (const target of targets) {
    if (!scheduled.some((address) => inScope(address, [target]))) {
      throw new UsageError(`--target ${JSON.stringify(target)} selects no scheduled tag of the catalog`);
    }
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
 * following them, so that a scheduled CI job sees upstream moves of the tags that follow them and nothing else. With no scheduled tag it is
 * an empty plan of the same state.
 */
export async function planScheduledTags(catalog: Catalog, state: State | null, options: PlanOptions): Promise<Plan> {
  const targets = scheduledTargets(catalog, options.targets);
  if (targets.length > 0) return planCatalog(catalog, state, { ...options, targets });
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
