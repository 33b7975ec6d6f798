import type { Plan, PlannedChange } from '../core/plan-model.js';
import { type ApplyEvent, type ApplyOptions, type ApplyResult, applyPlan } from '../engine/apply.js';

export type { ApplyEvent, ApplyResult };

/** What an operation reports while it imports. */
export interface ImportProgress {
  /** The changes about to be performed, before the first event. */
  started?(changes: readonly PlannedChange[]): void;
  onEvent?(event: ApplyEvent): void;
  /** The imports are over, whether they succeeded or not. */
  finished?(): Promise<void>;
}

/** Performs `plan` through the engine, reporting to `progress`. */
export async function applyWithProgress(
  plan: Plan,
  options: Omit<ApplyOptions, 'onEvent'>,
  progress: ImportProgress = {},
): Promise<ApplyResult> {
  progress.started?.(plan.changes);
  try {
    const applying = { ...options, ...(progress.onEvent && { onEvent: progress.onEvent }) };
    const { interruption } = options;
    return await (interruption
      ? interruption.whileImporting(() => applyPlan(plan, applying))
      : applyPlan(plan, applying));
  } finally {
    await progress.finished?.();
  }
}
