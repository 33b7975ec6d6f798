import {
  hasChanges,
  type Plan,
  type PlannedChange,
  type PlannedDrift,
  type PlannedError,
  type RowAction,
} from '../core/plan-model.js';
import { type Block, type ElasticLines, fitLines } from './fit-lines.js';
import { codeSpan, escapeInline, fenceFor, tableCode } from './markdown.js';
import { discoveryLine } from './plan-discoveries.js';
import { changeRows, type DisplayRow } from './plan-rows.js';
import { copyAmount, renderPlanText } from './plan-text.js';
import { actionCounts, countOf, driftSentence, errorSentence } from './plan-words.js';

export interface PlanMarkdownOptions {
  /** The bold label of the summary line; `imagestreams plan` by default. */
  title?: string;
}

/** Lets a CI job find its previous comment on a pull request and update it. */
export const PLAN_MARKER = '<!-- imagestreams-plan -->';
/** GitHub refuses comments over 65,536 characters; this leaves room for whatever a CI job adds. */
export const MARKDOWN_LIMIT = 60_000;
/** Removed tags named in the warning line; the rest are counted. */
const REMOVED_NAMED = 20;

const CHANGE_WORDS: Record<RowAction, string> = {
  create: 'create',
  update: 'update',
  delete: 'delete',
  noop: 'unchanged',
};
const ELSEWHERE = 'the full plan is in the CI log / run imagestreams plan locally';

/**
 * The plan as a pull-request comment: marker, summary line, a warning when tags will be removed, a table of
 * per-platform changes, drift, errors and the text plan in `<details>`; cut in the middle to stay under MARKDOWN_LIMIT.
 */
export function renderPlanMarkdown(plan: Plan, options: PlanMarkdownOptions = {}): string {
  const blocks: Block[] = [[PLAN_MARKER, summaryLine(plan, options.title ?? 'imagestreams plan')]];
  if (plan.discoveries?.length)
    blocks.push(['', ...plan.discoveries.map((d) => `- ${escapeInline(discoveryLine(d))}`)]);
  const removed = plan.changes.filter((change) => change.action === 'delete').map((change) => change.address);
  if (removed.length > 0) blocks.push(['', removalWarning(removed)]);
  const rows = plan.changes.filter((change) => change.action !== 'noop').flatMap(tableRows);
  if (rows.length > 0) {
    blocks.push(['', '| tag | platform | change | before | after |', '| --- | --- | --- | --- | --- |']);
    blocks.push(elastic(rows, (n) => `| … ${countOf(n, 'row')} omitted: ${ELSEWHERE} | | | | |`));
  }
  if (plan.drift.length > 0) {
    blocks.push(['', '**Drift:** pinned tags whose upstream moved (run with `--reimport ADDRESS` to import)', '']);
    blocks.push(elastic(plan.drift.map(driftItem), (n) => `- … ${countOf(n, 'more tag')} omitted: ${ELSEWHERE}`));
  }
  if (plan.errors.length > 0) {
    blocks.push(['', '**Errors:** tags that could not be resolved (their state is left as it is)', '']);
    blocks.push(elastic(plan.errors.map(errorItem), (n) => `- … ${countOf(n, 'more error')} omitted: ${ELSEWHERE}`));
  }
  const text = renderPlanText(plan, { color: false, abbrev: true }).trimEnd().split('\n');
  const fence = fenceFor(text, 'text');
  blocks.push(['', '<details><summary>Full plan</summary>', '', fence.open]);
  blocks.push(elastic(text, (n) => `… ${countOf(n, 'line')} omitted: ${ELSEWHERE}`));
  blocks.push([fence.close, '', '</details>']);
  return fitLines(blocks, MARKDOWN_LIMIT);
}

function elastic(lines: string[], omission: (omitted: number) => string): ElasticLines {
  return { lines, omission };
}

function summaryLine(plan: Plan, title: string): string {
  const { summary } = plan;
  const parts = [
    hasChanges(plan)
      ? `${actionCounts(summary)}, ${summary.noop} unchanged`
      : `no changes, ${countOf(summary.noop, 'tag')} up to date`,
  ];
  if (summary.copy) parts.push(`local store: ${copyAmount(summary.copy)}`);
  if (summary.drift > 0) parts.push(driftSentence(summary.drift));
  if (summary.error > 0) parts.push(errorSentence(summary.error));
  return `**${escapeInline(title)}:** ${parts.join('; ')}`;
}

function removalWarning(addresses: string[]): string {
  const named = addresses.slice(0, REMOVED_NAMED).map(escapeInline);
  if (addresses.length > REMOVED_NAMED) named.push(`and ${addresses.length - REMOVED_NAMED} more`);
  const subject = `${countOf(addresses.length, 'tag')} will be removed from the state:`;
  return `> ⚠ **${subject}** ${named.join(', ')}`;
}

function tableRows(change: PlannedChange): string[] {
  const tag = change.reference ? `${change.address} (from ${change.reference.name})` : change.address;
  return changeRows(change).map((row) => tableRow(tag, row));
}

function tableRow(address: string, row: DisplayRow): string {
  const cells = [
    escapeInline(address),
    escapeInline(row.platform),
    CHANGE_WORDS[row.action],
    digestCell(row.before),
    digestCell(row.after),
  ];
  return `| ${cells.join(' | ')} |`;
}

function digestCell(digest: string | null): string {
  return digest === null ? '' : tableCode(digest);
}

function driftItem(drift: PlannedDrift): string {
  return `- ${codeSpan(drift.address)} from ${codeSpan(drift.from)}: ${codeSpan(drift.current)} → ${codeSpan(drift.upstream)}`;
}

function errorItem(error: PlannedError): string {
  return `- ✗ ${codeSpan(error.address)} (${error.reason}): ${escapeInline(error.message)}`;
}
