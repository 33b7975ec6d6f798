import type { Plan } from '../core/plan-model.js';
import { renderPlanJson } from './plan-json.js';
import { renderPlanMarkdown } from './plan-markdown.js';
import { renderPlanText } from './plan-text.js';

export type PlanFormat = 'text' | 'json' | 'markdown';

/** The plan in one of its formats; colour and abbreviated digests only apply to text. */
export function renderPlan(plan: Plan, format: PlanFormat, options: { color: boolean; abbrev: boolean }): string {
  if (format === 'json') return renderPlanJson(plan);
  if (format === 'markdown') return renderPlanMarkdown(plan, {});
  return renderPlanText(plan, options);
}
