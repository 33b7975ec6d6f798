import type { TagSpec } from '../core/catalog.js';
import type { Plan, PlanDocument, PlannedChange, PlannedChangeDocument } from '../core/plan-model.js';
import { specLines, specLineText } from './spec-lines.js';

/** The plan model as the `--json` document (schemas/plan.schema.json): 2-space indent, trailing newline. */
export function renderPlanJson(plan: Plan): string {
  return `${JSON.stringify(planDocument(plan), null, 2)}\n`;
}

/** The plan as `plan --json` and plan files hold it: each change's prior spec shown as its `specDiff`. */
export function planDocument(plan: Plan): PlanDocument {
  return { ...plan, changes: plan.changes.map(changeDocument) };
}

/** The change with `specDiff` in place of `priorSpec`, its fields in the order the document lists them. */
function changeDocument(change: PlannedChange): PlannedChangeDocument {
  const { priorSpec, before, after, platforms, copy, reference, ...head } = change;
  const specDiff = priorSpec && head.spec ? specDiffText(priorSpec, head.spec) : null;
  return { ...head, specDiff, before, after, platforms, ...(copy && { copy }), ...(reference && { reference }) };
}

/** Every key of both specs: `- key: old`, `+ key: new` or `  key: same`. */
function specDiffText(before: TagSpec, after: TagSpec): string {
  return specLines(before, after).map(specLineText).join('\n');
}
