import { resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { hasChanges, type Plan } from '../../core/plan-model.js';
import { planCatalog } from '../../engine/plan.js';
import { planScheduledTags } from '../../engine/scheduled-plan.js';
import { planDocument, renderPlanJson } from '../../render/plan-json.js';
import { renderPlanMarkdown } from '../../render/plan-markdown.js';
import { renderPlanText } from '../../render/plan-text.js';
import { planningState, StateStore, writePlanFile } from '../../state/index.js';
import { openCatalog } from '../context.js';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK } from '../exit.js';
import { type Io, useColor } from '../output.js';
import { planKey } from '../plan-key.js';

export interface PlanCommandOptions {
  file?: string;
  state?: string;
  authfile?: string;
  out?: string;
  json?: boolean;
  format?: string;
  detailedExitcode?: boolean;
  /** Only the scheduled tags (within --target). */
  scheduledOnly?: boolean;
  target: string[];
  reimport: string[];
  refresh: boolean;
  concurrency: number;
  color?: boolean;
  abbrev?: boolean;
}

export type PlanFormat = 'text' | 'json' | 'markdown';

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
  const key = options.out ? planKey(io.env) : undefined;
  const context = await openCatalog(options, io);
  try {
    const store = await StateStore.open(context.catalog.statePath);
    const plan = await (options.scheduledOnly ? planScheduledTags : planCatalog)(
      context.catalog,
      planningState(store),
      {
        targets: options.target,
        reimport: options.reimport,
        refresh: options.refresh,
        concurrency: options.concurrency,
        openTag: context.openTag,
      },
    );
    if (options.out) await writePlanFile(resolve(io.cwd, options.out), planDocument(plan), { key });
    io.stdout.write(renderPlan(plan, format, io, options));
    if (plan.errors.length > 0) return EXIT_ERROR;
    return options.detailedExitcode && hasChanges(plan) ? EXIT_CHANGES : EXIT_OK;
  } finally {
    await context.close();
  }
}

export function renderPlan(
  plan: Plan,
  format: PlanFormat,
  io: Io,
  options: { color?: boolean; abbrev?: boolean },
): string {
  if (format === 'json') return renderPlanJson(plan);
  if (format === 'markdown') return renderPlanMarkdown(plan, {});
  return renderPlanText(plan, { color: useColor(io, options.color === false), abbrev: options.abbrev !== false });
}
