import type { Plan } from '../core/plan-model.js';

/** The plan model as the `--json` document (schemas/plan.schema.json): 2-space indent, trailing newline. */
export function renderPlanJson(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}
