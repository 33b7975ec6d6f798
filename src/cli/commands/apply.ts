import { resolve } from 'node:path';
import type { CatalogTag } from '../../core/catalog.js';
import { NotConfirmedError } from '../../core/errors.js';
import { hasChanges, type Plan, type PlannedChange } from '../../core/plan-model.js';
import { type ApplyResult, applyPlan } from '../../engine/apply.js';
import { catalogLocalStore } from '../../engine/mirror-target.js';
import { planCatalog } from '../../engine/plan.js';
import { asPlan, assertPlanApplies } from '../../engine/saved-plan.js';
import { acquireLock, planningState, readPlanFile, StateStore } from '../../state/index.js';
import { type CatalogContext, openCatalog } from '../context.js';
import { EXIT_ERROR, EXIT_OK } from '../exit.js';
import { type Io, writeJson } from '../output.js';
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
  const saved = planFile ? asPlan(await readPlanFile(resolve(io.cwd, planFile)), planFile) : undefined;
  const context = await openCatalog(options, io);
  try {
    const lock = await acquireLock(context.catalog.statePath, { operation: 'apply', timeoutMs: options.lockTimeout });
    try {
      const store = await StateStore.open(context.catalog.statePath);
      const plan = saved ?? (await freshPlan(context, store, options));
      if (saved) assertPlanApplies(saved, context.catalog.sha256, store.state, store.state.serial !== 0);
      const run = saved !== undefined || (await approved(plan, options, io));
      const applied = run ? await runApply(plan, context, store, options, io) : await nothingToApply(store);
      const result = withUnresolved(applied, plan);
      if (run || options.json || result.failed.length > 0) report(result, store, options, io);
      return result.failed.length > 0 ? EXIT_ERROR : EXIT_OK;
    } finally {
      await lock.release();
    }
  } finally {
    await context.close();
  }
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
  plan: Plan,
  context: CatalogContext,
  store: StateStore,
  options: ApplyCommandOptions,
  io: Io,
): Promise<ApplyResult> {
  const tags = new Map<string, CatalogTag>(context.catalog.tags.map((t) => [t.address, t]));
  const progress = createProgress(plan.changes, io, Boolean(options.json));
  try {
    return await applyPlan(plan, {
      store,
      openRepository: (change: PlannedChange) => context.openTag(tags.get(change.address)!),
      local: catalogLocalStore(context.catalog, context.openTag),
      concurrency: options.concurrency,
      onEvent: (event) => progress.onEvent(event),
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
