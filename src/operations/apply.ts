import type { Catalog, CatalogTag } from '../core/catalog.js';
import type { RegistryError } from '../core/errors.js';
import { hasChanges, type Plan, type PlanDocument, type PlanLimit } from '../core/plan-model.js';
import type { ApplyResult } from '../engine/apply.js';
import { tagConcurrency } from '../engine/concurrency.js';
import type { Interruption } from '../engine/interruption.js';
import { catalogLocalStore } from '../engine/local-store.js';
import { planWithDiscoveries, prepareCatalogSources } from '../engine/plan.js';
import { ProvenSources } from '../engine/saved-plan/proven-sources.js';
import { asPlan, assertPlanApplies, proveSavedPlan, targetLimit } from '../engine/saved-plan/saved-plan.js';
import type { ImageRepository } from '../registry/repository.js';
import { planningState, readPlanFile, type StateStore } from '../state/index.js';
import { catalogDiscovery } from './discovery.js';
import { type PlanScope, planOptions } from './plan.js';
import { applyWithProgress, type ImportProgress } from './progress.js';
import { type CatalogRepositories, type CatalogRepositoriesOptions, withRepositories } from './repositories.js';
import { withLockedState } from './state.js';

export interface ApplyRequest extends PlanScope, CatalogRepositoriesOptions {
  /**
   * A saved plan, applied only when it is what plan derives from the catalog, the state and the images it observed
   * (PlanMismatchError otherwise). Without one, apply plans `targets` and `reimport` itself.
   */
  saved?: PlanDocument;
  /** How long to wait for the state lock, in milliseconds (default: fail at once). */
  lockTimeoutMs?: number;
  /** Told the fresh plan, before anything is imported. */
  onPlanned?(plan: Plan): void;
  /** Asked with a fresh plan that has changes before anything is imported; false: import nothing. */
  approve?(plan: Plan): Promise<boolean>;
  progress?: ImportProgress;
  /** Stops the imports: what completed is committed, and the apply fails with an InterruptedError. */
  interruption?: Interruption;
}

export interface ApplyOutcome {
  plan: Plan;
  /** What limited the plan to its targets (a saved plan's, derived from what it records); undefined without targets. */
  limitedBy: PlanLimit | undefined;
  /** false when nothing was imported: no changes, or not approved. */
  ran: boolean;
  /** What the imports did. */
  applied: ApplyResult;
  /** `applied`, with the tags whose source could not be resolved counted as failed imports. */
  result: ApplyResult;
  /** The state after the apply. */
  state: { lineage: string; serial: number };
}

export interface ReadSavedPlanOptions {
  /** The key plans are signed with: a signed plan is refused unless its signature matches. */
  key?: Uint8Array | undefined;
  /** The file's name in messages. */
  displayPath: string;
  /** Told when the plan is signed but no key was given to check its signature with. */
  onSignatureUnchecked?(): void;
}

/** A plan file written by `plan --out`. */
export async function readSavedPlan(path: string, options: ReadSavedPlanOptions): Promise<PlanDocument> {
  const file = await readPlanFile(path, { displayPath: options.displayPath, ...(options.key && { key: options.key }) });
  if (file.signature === 'unchecked') options.onSignatureUnchecked?.();
  return asPlan(file.plan, options.displayPath);
}

/** Plans (or proves a saved plan) and imports under the state lock. */
export async function applyOperation(catalog: Catalog, request: ApplyRequest = {}): Promise<ApplyOutcome> {
  return withRepositories(catalog, request, (repositories) => {
    const lock = { operation: 'apply', timeoutMs: request.lockTimeoutMs ?? 0 };
    return withLockedState(catalog.statePath, lock, async (store) => {
      const work = request.saved
        ? await provenWork(request.saved, catalog, store, repositories, request)
        : await freshWork(catalog, store, repositories, request);
      const ran = request.saved !== undefined || (await approved(work.plan, request));
      const applied = ran ? await runWork(work, catalog, store, repositories, request) : await nothingToApply(store);
      const state = { lineage: store.state.lineage, serial: store.state.serial };
      const { plan, limitedBy } = work;
      return { plan, limitedBy, ran, applied, result: withUnresolved(applied, plan), state };
    });
  });
}

async function approved(plan: Plan, request: ApplyRequest): Promise<boolean> {
  request.onPlanned?.(plan);
  return hasChanges(plan) && (await request.approve?.(plan)) !== false;
}

/** What one apply performs: the plan, where its tags are read from, and imports known to fail. */
interface ApplyWork {
  plan: Plan;
  limitedBy: PlanLimit | undefined;
  /** The catalog the plan was made for, with the tags its streams discovered. */
  catalog: Catalog;
  /** The source a change imports from, asked once per change. */
  openSource: (tag: CatalogTag) => ImageRepository;
  failing?: ReadonlyMap<string, RegistryError>;
}

async function provenWork(
  plan: PlanDocument,
  catalog: Catalog,
  store: StateStore,
  repositories: CatalogRepositories,
  request: ApplyRequest,
): Promise<ApplyWork> {
  assertPlanApplies(plan, catalog, store.state, store.state.serial !== 0);
  const sources = new ProvenSources(repositories.openTag);
  const local = catalogLocalStore(catalog, repositories.openTag);
  const discovery = catalogDiscovery(repositories);
  const proving = {
    openTag: sources.openTag,
    concurrency: tagConcurrency(catalog.registries, request.concurrency),
    ...(local && { local }),
    policy: discovery.policy,
  };
  const { unreadable, ...proof } = await proveSavedPlan(plan, catalog, planningState(store), proving);
  return { ...proof, openSource: sources.take, failing: unreadable };
}

async function freshWork(
  catalog: Catalog,
  store: StateStore,
  repositories: CatalogRepositories,
  request: ApplyRequest,
): Promise<ApplyWork> {
  const options = planOptions({ ...request, refresh: true }, repositories, catalog);
  const prepared = prepareCatalogSources(catalog, options);
  const planned = await planWithDiscoveries(catalog, planningState(store), options);
  await prepared;
  return {
    ...planned,
    limitedBy: targetLimit(planned.plan.targets),
    openSource: repositories.openTag,
  };
}

function runWork(
  work: ApplyWork,
  catalog: Catalog,
  store: StateStore,
  repositories: CatalogRepositories,
  request: ApplyRequest,
): Promise<ApplyResult> {
  const tags = new Map(work.catalog.tags.map((t) => [t.address, t]));
  const local = catalogLocalStore(catalog, repositories.openTag);
  const options = {
    store,
    openRepository: (change: { address: string }) => work.openSource(tags.get(change.address)!),
    ...(local && { local }),
    concurrency: tagConcurrency(catalog.registries, request.concurrency),
    ...(work.failing && { failing: work.failing }),
    ...(request.interruption && { interruption: request.interruption }),
  };
  return applyWithProgress(work.plan, options, request.progress);
}

/** Even with nothing to import, what an interrupted apply left in the journal is written into the state file. */
async function nothingToApply(store: StateStore): Promise<ApplyResult> {
  await store.commit();
  return { imported: [], removed: [], failed: [] };
}

/**
 * Tags whose source could not be resolved were not imported: they count as failed imports; so does each stream
 * whose repository could not be listed (named by the stream).
 */
function withUnresolved(result: ApplyResult, plan: Plan): ApplyResult {
  const unresolved = plan.errors.map(({ address, reason, message }) => ({ address, reason, message }));
  const unlisted = (plan.discoveries ?? []).flatMap(({ stream, error }) =>
    error ? [{ address: stream, ...error }] : [],
  );
  return { ...result, failed: [...result.failed, ...unresolved, ...unlisted] };
}
