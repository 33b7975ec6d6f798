import { UsageError } from '../core/errors.js';
import type { PlanLimit } from '../core/plan-model.js';

/**
 * Terraform's warning about a targeted plan, in our words: the plan leaves out whatever the targets do not select,
 * so the state can end up not matching the catalog. Empty without targets.
 */
export function targetedPlanWarning(targets: readonly string[]): string {
  if (targets.length === 0) return '';
  return [
    `Warning: --target is in effect: this plan covers only ${targets.join(', ')}`,
    '',
    'Changes the catalog asks for outside these tags are not in it, so once it is applied the state may not',
    'match the catalog. --target is meant for exceptional cases, such as importing one tag ahead of the others;',
    'run plan without it to see every change.',
    '',
  ].join('\n');
}

/**
 * After a targeted apply: what was left undone, naming the option that limited the plan (`--scheduled-only` for a
 * saved plan of exactly the scheduled tags). Empty without targets.
 */
export function targetedApplyWarning(targets: readonly string[], limitedBy: PlanLimit | undefined): string {
  if (targets.length === 0 || limitedBy === undefined) return '';
  const option = `--${limitedBy}`;
  return [
    `Warning: this apply was limited by ${option} to ${targets.join(', ')}`,
    '',
    'Changes the catalog asks for outside these tags were not made: the state may not match the catalog.',
    `Run plan without ${option} to see what is left.`,
    '',
  ].join('\n');
}

/** A saved plan applies the targets and re-imports it was made with: apply refuses new ones, which could change nothing. */
export function refuseScopeWithSavedPlan(planFile: string, scope: { target?: string[]; reimport?: string[] }): void {
  for (const [flag, given] of [
    ['--target', scope.target],
    ['--reimport', scope.reimport],
  ] as const) {
    if (given?.length) {
      throw new UsageError(
        `${flag} cannot be used with a saved plan: ${planFile} applies what it was planned with; pass ${flag} to plan --out instead`,
      );
    }
  }
}
