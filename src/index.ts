/**
 * The imagestreams library: the same catalog, plan and apply the CLI uses.
 *
 *   const catalog = await loadCatalog('imagestreams.yaml');
 *   const changes = await plan(catalog);
 *   if (changes.summary.create + changes.summary.update + changes.summary.delete > 0) await apply(changes, catalog);
 */
import type { Catalog } from './core/catalog.js';
import type { Plan } from './core/plan-model.js';
import { type ApplyEvent, type ApplyResult, applyPlan } from './engine/apply.js';
import { type CatalogRepositoriesOptions, catalogRepositories } from './engine/catalog-repositories.js';
import { catalogLocalStore } from './engine/mirror-target.js';
import { planCatalog } from './engine/plan.js';
import { asPlan, assertPlanApplies, proveSavedPlan } from './engine/saved-plan.js';
import { ProvenSources } from './engine/tag-sources.js';
import { planDocument } from './render/plan-json.js';
import { acquireLock, planningState, StateStore } from './state/index.js';

export { loadCatalog, parseCatalog } from './config/index.js';
export type { Catalog, CatalogTag, ImportMode, ReferencePolicy, TagSpec } from './core/catalog.js';
export * from './core/errors.js';
export type {
  Plan,
  PlanDocument,
  PlannedChange,
  PlannedChangeDocument,
  PlannedDrift,
  PlannedError,
  PlatformRow,
} from './core/plan-model.js';
export { formatPlatform, normalizePlatform, type Platform, parsePlatform } from './core/platform.js';
export { formatReference, type ImageReference, parseImageSource, parseReference } from './core/reference.js';
export type { State, TagItem, TagState } from './core/state-model.js';
export type { ApplyEvent, ApplyResult } from './engine/apply.js';
export { planDocument, renderPlanJson } from './render/plan-json.js';
export { renderPlanMarkdown } from './render/plan-markdown.js';
export { renderPlanText } from './render/plan-text.js';

export interface PlanOptions extends CatalogRepositoriesOptions {
  targets?: string[];
  reimport?: string[];
  /** false: do not ask registries about tags that need no import. */
  refresh?: boolean;
  concurrency?: number;
}

/** Compares the catalog with its state file and the registries. */
export async function plan(catalog: Catalog, options: PlanOptions = {}): Promise<Plan> {
  const sources = catalogRepositories(catalog, options);
  try {
    const store = await StateStore.open(catalog.statePath);
    return await planCatalog(catalog, planningState(store), {
      targets: options.targets ?? [],
      reimport: options.reimport ?? [],
      refresh: options.refresh ?? true,
      concurrency: options.concurrency ?? 16,
      openTag: sources.openTag,
    });
  } finally {
    await sources.close();
  }
}

export interface ApplyOptions extends CatalogRepositoriesOptions {
  concurrency?: number;
  /** How long to wait for the state lock, in milliseconds (default: fail at once). */
  lockTimeoutMs?: number;
  onEvent?: (event: ApplyEvent) => void;
}

/**
 * Imports exactly what `planned` says, under the state lock; refuses a plan made for another state, an older serial or
 * another version of the catalog, and a plan that is not what plan derives from the catalog, the state and the
 * images the plan observed (PlanMismatchError).
 */
export async function apply(planned: Plan, catalog: Catalog, options: ApplyOptions = {}): Promise<ApplyResult> {
  const lock = await acquireLock(catalog.statePath, { operation: 'apply', timeoutMs: options.lockTimeoutMs ?? 0 });
  const sources = catalogRepositories(catalog, options);
  try {
    const store = await StateStore.open(catalog.statePath);
    const saved = asPlan(planDocument(planned), 'the plan');
    assertPlanApplies(saved, catalog, store.state, store.state.serial !== 0);
    const proving = new ProvenSources(sources.openTag);
    const local = catalogLocalStore(catalog, sources.openTag);
    const concurrency = options.concurrency ?? 16;
    const proven = await proveSavedPlan(saved, catalog, planningState(store), {
      openTag: proving.openTag,
      concurrency,
      ...(local && { local }),
    });
    const tags = new Map(catalog.tags.map((t) => [t.address, t]));
    return await applyPlan(proven.plan, {
      store,
      openRepository: (change) => proving.take(tags.get(change.address)!),
      ...(local && { local }),
      concurrency,
      failing: proven.unreadable,
      ...(options.onEvent && { onEvent: options.onEvent }),
    });
  } finally {
    await sources.close();
    await lock.release();
  }
}
