import type { Catalog } from '../core/catalog.js';
import type { Plan } from '../core/plan-model.js';
import { tagConcurrency } from '../engine/concurrency.js';
import { type PlanOptions, planCatalog, prepareCatalogSources } from '../engine/plan.js';
import { planScheduledTags } from '../engine/scheduled-plan.js';
import { planDocument } from '../render/plan-json.js';
// Not the state/index.js barrel: a plan needs neither the state lock nor the saved-plan validator, a large module.
import { writePlanFile } from '../state/plan-file.js';
import { planningState, StateStore } from '../state/state-store.js';
import { catalogDiscovery } from './discovery.js';
import { type CatalogRepositories, type CatalogRepositoriesOptions, withRepositories } from './repositories.js';

/** What to plan: every tag by default. */
export interface PlanScope {
  targets?: string[];
  reimport?: string[];
  /** false: do not ask registries about tags that need no import. */
  refresh?: boolean;
  concurrency?: number;
}

export interface PlanRequest extends PlanScope, CatalogRepositoriesOptions {
  /** Only the scheduled tags (within `targets`). */
  scheduledOnly?: boolean;
  /** Where to save the plan, signed with `key` when given. */
  out?: { path: string; key?: Uint8Array | undefined };
}

/** Compares the catalog with its state file and the registries; saves the plan when asked to. */
export async function planOperation(catalog: Catalog, request: PlanRequest = {}): Promise<Plan> {
  return withRepositories(catalog, request, async (repositories) => {
    const options = planOptions(request, repositories, catalog);
    const prepared = request.scheduledOnly ? undefined : prepareCatalogSources(catalog, options);
    const store = await StateStore.open(catalog.statePath);
    const plan = await (request.scheduledOnly ? planScheduledTags : planCatalog)(
      catalog,
      planningState(store),
      options,
    );
    await prepared;
    if (request.out) await writePlanFile(request.out.path, planDocument(plan), { key: request.out.key });
    return plan;
  });
}

/** The engine's options for a scope, with its defaults: everything, refreshed, discoveries listed (see tagConcurrency). */
export function planOptions(scope: PlanScope, repositories: CatalogRepositories, catalog: Catalog): PlanOptions {
  const discovery = catalogDiscovery(repositories);
  return {
    targets: scope.targets ?? [],
    reimport: scope.reimport ?? [],
    refresh: scope.refresh ?? true,
    concurrency: tagConcurrency(catalog.registries, scope.concurrency),
    openTag: repositories.openTag,
    discover: discovery.discover,
  };
}
