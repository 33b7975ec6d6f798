import type { ChangeReason, PlanSummary } from '../core/plan-model.js';

/** `1 tag`, `2 tags`. */
export function countOf(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}

export const REASON_WORDS: Record<ChangeReason, string> = {
  new_tag: 'new',
  spec_changed: 'spec changed',
  upstream_moved: 'upstream moved',
  reimport_requested: 're-import requested',
  removed_from_catalog: 'removed from catalog',
};

/** `1 pinned tag has upstream drift`, `2 pinned tags have upstream drift`. */
export function driftSentence(count: number): string {
  return `${countOf(count, 'pinned tag')} ${count === 1 ? 'has' : 'have'} upstream drift`;
}

export function errorSentence(count: number): string {
  return `${countOf(count, 'tag')} could not be resolved`;
}

/** `1 to import, 1 to re-import, 0 to remove`. */
export function actionCounts(summary: PlanSummary): string {
  return `${summary.create} to import, ${summary.update} to re-import, ${summary.delete} to remove`;
}
