import { resolve } from 'node:path';
import { printable } from '../../core/echoed-text.js';
import { NotConfirmedError } from '../../core/errors.js';
import type { Plan, PlanDocument } from '../../core/plan-model.js';
import { type ApplyOutcome, applyOperation, readSavedPlan } from '../../operations/apply.js';
import type { Interruption } from '../../operations/interruption.js';
import { applySummary } from '../../render/apply-summary.js';
import { renderPlan } from '../../render/plan.js';
import { writeCatalogWarnings } from '../catalog-warnings.js';
import { loadCatalogOf, repositoryOptionsOf, textStyle } from '../context.js';
import { EXIT_ERROR, EXIT_OK } from '../exit.js';
import { interruptible } from '../interrupt.js';
import { type Io, writeJson } from '../output.js';
import { PLAN_KEY_VARIABLE, planKey } from '../plan-key.js';
import { importProgress } from '../progress.js';
import { confirm } from '../prompt.js';
import { refuseScopeWithSavedPlan, targetedApplyWarning, targetedPlanWarning } from '../targeting.js';

/** The most characters of a failure's message apply repeats: a saved plan's recorded failures are untrusted text. */
const MESSAGE_LIMIT = 1000;

export interface ApplyCommandOptions {
  file?: string;
  state?: string;
  authfile?: string;
  autoApprove?: boolean;
  json?: boolean;
  target?: string[];
  reimport?: string[];
  concurrency?: number;
  lockTimeout: number;
  color?: boolean;
  abbrev?: boolean;
}

/** `apply`: stopped by SIGINT or SIGTERM as `interruptible` says. */
export function applyCommand(planFile: string | undefined, options: ApplyCommandOptions, io: Io): Promise<number> {
  return interruptible(io, "run 'imagestreams apply'", (interruption) =>
    applyInterruptible(planFile, options, io, interruption),
  );
}

async function applyInterruptible(
  planFile: string | undefined,
  options: ApplyCommandOptions,
  io: Io,
  interruption: Interruption,
): Promise<number> {
  if (planFile) refuseScopeWithSavedPlan(planFile, options);
  const saved = planFile ? await savedPlan(planFile, options, io) : undefined;
  const catalog = await loadCatalogOf(options, io);
  writeCatalogWarnings(catalog, io);
  const outcome = await applyOperation(catalog, {
    ...repositoryOptionsOf(options, io),
    ...(saved && { saved }),
    targets: options.target ?? [],
    reimport: options.reimport ?? [],
    concurrency: options.concurrency,
    lockTimeoutMs: options.lockTimeout,
    onPlanned: (plan) => {
      if (!options.json) io.stdout.write(renderPlan(plan, 'text', textStyle(io, options)));
      io.stderr.write(targetedPlanWarning(plan.targets));
    },
    approve: (plan) => approve(plan, options, io),
    progress: importProgress(io, Boolean(options.json)),
    interruption,
  });
  if (outcome.ran || options.json || outcome.result.failed.length > 0) report(outcome, options, io);
  if (outcome.ran) io.stderr.write(targetedApplyWarning(outcome.plan.targets, outcome.limitedBy));
  return outcome.result.failed.length > 0 ? EXIT_ERROR : EXIT_OK;
}

/** The saved plan, its signature checked when IMAGESTREAMS_PLAN_KEY is set. */
function savedPlan(planFile: string, options: ApplyCommandOptions, io: Io): Promise<PlanDocument> {
  return readSavedPlan(resolve(io.cwd, planFile), {
    key: planKey(io.env),
    displayPath: planFile,
    onSignatureUnchecked: () => {
      if (!options.json) {
        io.stderr.write(
          `note: plan file ${planFile} is signed; set ${PLAN_KEY_VARIABLE} to have its signature checked\n`,
        );
      }
    },
  });
}

/** Asks, unless --auto-approve. */
async function approve(_plan: Plan, options: ApplyCommandOptions, io: Io): Promise<boolean> {
  if (options.autoApprove) return true;
  if (!io.stdin.isTTY) {
    throw new NotConfirmedError(
      'apply needs approval: run it in a terminal, pass --auto-approve, or apply a saved plan (plan --out FILE)',
    );
  }
  if (await confirm(io, '\nDo you want to perform these imports?')) return true;
  throw new NotConfirmedError('Apply cancelled.');
}

function report({ result, state, plan }: ApplyOutcome, options: ApplyCommandOptions, io: Io): void {
  if (options.json) {
    writeJson(io.stdout, { ...result, state });
    return;
  }
  const summary = applySummary(result, plan.changes);
  io.stdout.write(`\n${result.failed.length > 0 ? 'Apply finished with errors!' : 'Apply complete!'} ${summary}\n`);
  for (const { address, reason, message } of result.failed) {
    io.stdout.write(`  ✗ ${printable(address)}: Import failed (${reason}): ${printable(message, MESSAGE_LIMIT)}\n`);
  }
}
