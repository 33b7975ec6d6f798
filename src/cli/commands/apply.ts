import { resolve } from 'node:path';
import type { CatalogTag } from '../../core/catalog.js';
import { NotConfirmedError, type RegistryError } from '../../core/errors.js';
import { hasChanges, type Plan, type PlanDocument, type PlannedChange } from '../../core/plan-model.js';
import { type ApplyResult, applyPlan } from '../../engine/apply.js';
import { catalogLocalStore } from '../../engine/mirror-target.js';
import { planCatalog } from '../../engine/plan.js';
import { asPlan, assertPlanApplies, proveSavedPlan } from '../../engine/saved-plan.js';
import { ProvenSources } from '../../engine/tag-sources.js';
import type { ImageRepository } from '../../registry/repository.js';
import { acquireLock, planningState, readPlanFile, StateStore } from '../../state/index.js';
import { type CatalogContext, openCatalog } from '../context.js';
import { EXIT_ERROR, EXIT_OK } from '../exit.js';
import { type Io, writeJson } from '../output.js';
import { PLAN_KEY_VARIABLE, planKey } from '../plan-key.js';
import { createProgress } from '../progress.js';
import { confirm } from '../prompt.js';
import { renderPlan } from './plan.js';

export interface ApplyCommandOptions {
  file?: string;
  state?: string;
  authfile?: string;
  autoApprove?: boolean;
  json?: boolean;
  target: string[];
  reimport: string[];
  concurrency: number;
  lockTimeout: number;
  color?: boolean;
  abbrev?: boolean;
}

export async function applyCommand(
  planFile: string | undefined,
  options: ApplyCommandOptions,
  io: Io,
): Promise<number> {
  const saved = planFile ? await readSavedPlan(planFile, options, io) : undefined;
  const context = await openCatalog(options, io);
  try {
    const lock = await acquireLock(context.catalog.statePath, { operation: 'apply', timeoutMs: options.lockTimeout });
    try {
      const store = await StateStore.open(context.catalog.statePath);
      const work = saved ? await provenWork(saved, context, store, options) : await freshWork(context, store, options);
      const run = saved !== undefined || (await approved(work.plan, options, io));
      const applied = run ? await runApply(work, context, store, options, io) : await nothingToApply(store);
      const result = withUnresolved(applied, work.plan);
      if (run || options.json || result.failed.length > 0) report(result, store, options, io);
      return result.failed.length > 0 ? EXIT_ERROR : EXIT_OK;
    } finally {
      await lock.release();
    }
  } finally {
    await context.close();
  }
}

/** What one apply performs: the plan, where its tags are read from, and imports known to fail. */
interface ApplyWork {
  plan: Plan;
  /** The source a change imports from, asked once per change. */
  openSource: (tag: CatalogTag) => ImageRepository;
  failing?: ReadonlyMap<string, RegistryError>;
}

/** The saved plan, its signature checked when IMAGESTREAMS_PLAN_KEY is set. */
async function readSavedPlan(planFile: string, options: ApplyCommandOptions, io: Io): Promise<PlanDocument> {
  const file = await readPlanFile(resolve(io.cwd, planFile), { key: planKey(io.env), displayPath: planFile });
  if (file.signature === 'unchecked' && !options.json) {
    io.stderr.write(`note: plan file ${planFile} is signed; set ${PLAN_KEY_VARIABLE} to have its signature checked\n`);
  }
  return asPlan(file.plan, planFile);
}

/** A saved plan, applied only when it is what plan derives from the catalog, the state and its observations. */
async function provenWork(
  saved: PlanDocument,
  context: CatalogContext,
  store: StateStore,
  options: ApplyCommandOptions,
): Promise<ApplyWork> {
  assertPlanApplies(saved, context.catalog, store.state, store.state.serial !== 0);
  const sources = new ProvenSources(context.openTag);
  const local = catalogLocalStore(context.catalog, context.openTag);
  const proving = { openTag: sources.openTag, concurrency: options.concurrency, ...(local && { local }) };
  const proven = await proveSavedPlan(saved, context.catalog, planningState(store), proving);
  return { plan: proven.plan, openSource: sources.take, failing: proven.unreadable };
}

async function freshWork(context: CatalogContext, store: StateStore, options: ApplyCommandOptions): Promise<ApplyWork> {
  return { plan: await freshPlan(context, store, options), openSource: context.openTag };
}

async function freshPlan(context: CatalogContext, store: StateStore, options: ApplyCommandOptions): Promise<Plan> {
  return planCatalog(context.catalog, planningState(store), {
    targets: options.target,
    reimport: options.reimport,
    refresh: true,
    concurrency: options.concurrency,
    openTag: context.openTag,
  });
}

/** Shows the plan and asks, unless there is nothing to do or --auto-approve; false when there is nothing to do. */
async function approved(plan: Plan, options: ApplyCommandOptions, io: Io): Promise<boolean> {
  if (!options.json) io.stdout.write(renderPlan(plan, 'text', io, options));
  if (!hasChanges(plan)) return false;
  if (options.autoApprove) return true;
  if (!io.stdin.isTTY) {
    throw new NotConfirmedError(
      'apply needs approval: run it in a terminal, pass --auto-approve, or apply a saved plan (plan --out FILE)',
    );
  }
  if (await confirm(io, '\nDo you want to perform these imports?')) return true;
  throw new NotConfirmedError('Apply cancelled.');
}

async function runApply(
  work: ApplyWork,
  context: CatalogContext,
  store: StateStore,
  options: ApplyCommandOptions,
  io: Io,
): Promise<ApplyResult> {
  const tags = new Map<string, CatalogTag>(context.catalog.tags.map((t) => [t.address, t]));
  const progress = createProgress(work.plan.changes, io, Boolean(options.json));
  try {
    return await applyPlan(work.plan, {
      store,
      openRepository: (change: PlannedChange) => work.openSource(tags.get(change.address)!),
      local: catalogLocalStore(context.catalog, context.openTag),
      concurrency: options.concurrency,
      onEvent: (event) => progress.onEvent(event),
      ...(work.failing && { failing: work.failing }),
    });
  } finally {
    await progress.finish();
  }
}

/** Even with nothing to import, what an interrupted apply left in the journal is written into the state file. */
async function nothingToApply(store: StateStore): Promise<ApplyResult> {
  await store.commit();
  return { imported: [], removed: [], failed: [] };
}

/** Tags whose source could not be resolved were not imported: they count as failed imports. */
function withUnresolved(result: ApplyResult, plan: Plan): ApplyResult {
  const unresolved = plan.errors.map(({ address, reason, message }) => ({ address, reason, message }));
  return { ...result, failed: [...result.failed, ...unresolved] };
}

function report(result: ApplyResult, store: StateStore, options: ApplyCommandOptions, io: Io): void {
  if (options.json) {
    writeJson(io.stdout, { ...result, state: { lineage: store.state.lineage, serial: store.state.serial } });
    return;
  }
  const summary = `${result.imported.length} imported, ${result.removed.length} removed, ${result.failed.length} failed.`;
  io.stdout.write(`\n${result.failed.length > 0 ? 'Apply finished with errors!' : 'Apply complete!'} ${summary}\n`);
  for (const failure of result.failed)
    io.stdout.write(`  ✗ ${failure.address}: Import failed (${failure.reason}): ${failure.message}\n`);
}
