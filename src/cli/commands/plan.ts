import { resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { hasChanges, hasErrors } from '../../core/plan-model.js';
import { planOperation } from '../../operations/plan.js';
import { type PlanFormat, renderPlan } from '../../render/plan.js';
import type { CatalogPathOptions } from '../catalog-options.js';
import { writeCatalogWarnings } from '../catalog-warnings.js';
import { loadCatalogOf, repositoryOptionsOf, textStyle } from '../context.js';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK } from '../exit.js';
import type { Io } from '../output.js';
import { planKey } from '../plan-key.js';
import { savedPlanHint } from '../saved-plan-hint.js';
import { targetedPlanWarning } from '../targeting.js';

export interface PlanCommandOptions extends CatalogPathOptions {
  authfile?: string;
  out?: string;
  json?: boolean;
  format?: string;
  detailedExitcode?: boolean;
  /** Only the scheduled tags (within --target). */
  scheduledOnly?: boolean;
  target?: string[];
  reimport?: string[];
  refresh: boolean;
  concurrency?: number;
  color?: boolean;
  abbrev?: boolean;
}

export function planFormat(options: { json?: boolean; format?: string }): PlanFormat {
  if (options.json) return 'json';
  const format = options.format ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'markdown') {
    throw new UsageError(`unknown --format ${JSON.stringify(format)}: use text, json or markdown`);
  }
  return format;
}

export async function planCommand(options: PlanCommandOptions, io: Io): Promise<number> {
  const format = planFormat(options);
  const out = options.out ? { path: resolve(io.cwd, options.out), key: planKey(io.env) } : undefined;
  const catalog = await loadCatalogOf(options, io);
  writeCatalogWarnings(catalog, io);
  const plan = await planOperation(catalog, {
    ...repositoryOptionsOf(options, io),
    targets: options.target ?? [],
    reimport: options.reimport ?? [],
    refresh: options.refresh,
    concurrency: options.concurrency,
    scheduledOnly: Boolean(options.scheduledOnly),
    ...(out && { out }),
  });
  io.stdout.write(renderPlan(plan, format, textStyle(io, options)));
  io.stderr.write(targetedPlanWarning(options.target ?? []));
  if (options.out) (format === 'text' ? io.stdout : io.stderr).write(savedPlanHint(options.out, options));
  if (hasErrors(plan)) return EXIT_ERROR;
  return options.detailedExitcode && hasChanges(plan) ? EXIT_CHANGES : EXIT_OK;
}
