import { PlanMismatchError } from '../core/errors.js';
import { PLAN_FORMAT_VERSION, type Plan } from '../core/plan-model.js';
import type { State } from '../core/state-model.js';

/** Reads the plan out of a plan file's payload, refusing what this version cannot apply. */
export function asPlan(value: unknown, file: string): Plan {
  const plan = value as Partial<Plan> | null;
  const major = (v: unknown) => (typeof v === 'string' ? v.split('.')[0] : undefined);
  if (!plan || typeof plan !== 'object' || !Array.isArray(plan.changes) || !plan.catalog || !plan.summary) {
    throw new PlanMismatchError(`${file} does not hold a plan`);
  }
  if (major(plan.formatVersion) !== major(PLAN_FORMAT_VERSION)) {
    throw new PlanMismatchError(
      `${file} has plan format ${String(plan.formatVersion)}; this version applies ${PLAN_FORMAT_VERSION}`,
    );
  }
  return plan as Plan;
}

/**
 * A saved plan applies only to the state and catalog it was made from (Terraform's stale-plan rule):
 * same lineage, same serial, same catalog bytes.
 */
export function assertPlanApplies(plan: Plan, catalogSha256: string, state: State, stateExists: boolean): void {
  if (plan.catalog.sha256 !== catalogSha256) {
    throw new PlanMismatchError(
      `Saved plan is stale: the catalog ${plan.catalog.path} changed since the plan was made; run plan again`,
    );
  }
  if (plan.priorState === null) {
    if (stateExists)
      throw new PlanMismatchError('Saved plan is stale: the state was written since the plan was made; run plan again');
    return;
  }
  if (!stateExists || plan.priorState.lineage !== state.lineage) {
    throw new PlanMismatchError(
      'Saved plan does not match the given state: it was made for another state file (lineage differs)',
    );
  }
  if (plan.priorState.serial !== state.serial) {
    throw new PlanMismatchError(
      `Saved plan is stale: the state changed since the plan was made (serial ${plan.priorState.serial}, now ${state.serial}); run plan again`,
    );
  }
}
