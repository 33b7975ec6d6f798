import type { TagSpec } from '../core/catalog.js';
import { shortDigest } from '../core/digest.js';
import {
  type ChangeAction,
  type CopySummary,
  hasChanges,
  type Plan,
  type PlannedChange,
  type PlannedDrift,
  type PlannedError,
  type PlannedReference,
  type RowAction,
} from '../core/plan-model.js';
import type { LegacyRule } from '../core/state-model.js';
import { type Palette, palette } from './colors.js';
import { discoveryLine } from './plan-discoveries.js';
import { changeRows, type DisplayRow } from './plan-rows.js';
import { actionCounts, countOf, driftSentence, errorSentence, REASON_WORDS } from './plan-words.js';
import { specLines, specLineText } from './spec-lines.js';

export interface PlanTextOptions {
  color: boolean;
  /** Digests shortened to 12 hex digits (`--no-abbrev` turns it off). */
  abbrev: boolean;
}

export const DRIFT_HEADING = 'Drift (pinned tags whose upstream moved; run with --reimport ADDRESS to import):';
export const ERRORS_HEADING = 'Errors (tags that could not be resolved; their state is left as it is):';

/** Wide enough for `linux/ppc64le`: the digests of the common platforms line up from one tag to the next. */
const MIN_PLATFORM_WIDTH = 13;

const SYMBOLS: Record<RowAction, string> = { create: '+', update: '~', delete: '-', noop: ' ' };
const COLORS: Record<RowAction, keyof Palette> = { create: 'green', update: 'yellow', delete: 'red', noop: 'dim' };

const RULE_WORDS: Record<LegacyRule, string | null> = {
  'tag preference': 'by tag preference',
  'default platform': 'by default platform',
  'linux/amd64': 'by linux/amd64 fallback',
  'first child': 'as first child',
  'single manifest': null,
};

interface Style {
  paint: Palette;
  digest: (digest: string) => string;
}

/** The plan as DESIGN §6 shows it: changed tags with their platform rows, drift, errors, then the summary line. */
export function renderPlanText(plan: Plan, options: PlanTextOptions): string {
  const style: Style = { paint: palette(options.color), digest: options.abbrev ? (d) => shortDigest(d) : (d) => d };
  const sections: string[][] = [];
  if (plan.discoveries?.length) sections.push(plan.discoveries.map(discoveryLine));
  const listed = plan.changes.filter((change) => change.action !== 'noop');
  if (listed.length > 0) sections.push(listed.flatMap((change) => changeLines(change, style)));
  if (plan.drift.length > 0) sections.push([DRIFT_HEADING, ...plan.drift.flatMap((drift) => driftLines(drift, style))]);
  if (plan.errors.length > 0) sections.push([ERRORS_HEADING, ...plan.errors.map((error) => errorLine(error, style))]);
  sections.push([summaryLine(plan, style.paint)]);
  return `${sections.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}

function changeLines(change: PlannedChange, style: Style): string[] {
  const header = change.reference
    ? followingHeader(change, change.reference, style)
    : `  ${symbol(change.action, style.paint)} ${change.address}  ${change.from}  (${describeChange(change)})`;
  const spec = change.priorSpec && change.spec ? changedSpecLines(change.priorSpec, change.spec, style.paint) : [];
  const copy = change.copy ? [`      ${copyLine(change.copy)}`] : [];
  return [header, ...spec, ...copy, ...rowLines(changeRows(change), style)];
}

/** `~ prod:latest  sha256:5ddb0890ab8f → sha256:77aa01b2c3d4  (from dev:latest)`: a promotion, nothing imported. */
function followingHeader(change: PlannedChange, reference: PlannedReference, style: Style): string {
  const before = change.before?.digest;
  const after = change.after!.digest;
  const digests = before && before !== after ? `${style.digest(before)} → ${style.digest(after)}` : style.digest(after);
  const at = reference.name.indexOf('@');
  const name = at < 0 ? reference.name : `${reference.name.slice(0, at)}@${style.digest(reference.name.slice(at + 1))}`;
  const why =
    change.reason === 'spec_changed' || change.reason === 'reimport_requested'
      ? `, ${REASON_WORDS[change.reason]}`
      : '';
  return `  ${symbol(change.action, style.paint)} ${change.address}  ${digests}  (from ${name}${why})`;
}

/** `mirror to registry.local:5000/mirror/app:1.0: 3 manifests, 5 blobs, 12.4 MiB to copy`. */
export function copyLine(copy: CopySummary): string {
  return `mirror to ${copy.target}: ${copyAmount(copy)}`;
}

/** `3 manifests, 5 blobs, 12.4 MiB to copy`, or `nothing to copy`. */
export function copyAmount(copy: Omit<CopySummary, 'target'>): string {
  if (copy.manifests + copy.blobs === 0) return 'nothing to copy';
  return `${countOf(copy.manifests, 'manifest')}, ${countOf(copy.blobs, 'blob')}, ${formatBytes(copy.bytes)} to copy`;
}

/** `512 B`, `1.5 KiB`, `12.4 MiB`, `2.00 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${bytes} B`;
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** `Legacy: linux/arm64 by tag preference, pinned: spec changed`. */
export function describeChange(change: PlannedChange): string {
  const policy = importPolicy(change);
  const why = change.reason && change.reason !== 'new_tag' ? REASON_WORDS[change.reason] : null;
  const trigger = policy && why ? `${policy}: ${why}` : (policy ?? why);
  return trigger ? `${importMode(change)}, ${trigger}` : importMode(change);
}

/** The mode, and for Legacy on a list the platform it keeps and the rule that chose it. */
function importMode(change: PlannedChange): string {
  const rule = change.selectedBy ? RULE_WORDS[change.selectedBy] : null;
  const platform = change.after?.manifests[0]?.platform;
  return rule && platform ? `${change.importMode}: ${platform} ${rule}` : change.importMode;
}

/** Scheduled tags always say so; pinned ones only when re-imported, which is when it explains something. */
function importPolicy(change: PlannedChange): string | null {
  if (change.action === 'delete') return null;
  if (change.scheduled) return 'scheduled';
  return change.action === 'update' ? 'pinned' : null;
}

/** The changed keys of the spec, old value in red, new in green (the tag line already says the rest). */
function changedSpecLines(before: TagSpec, after: TagSpec, paint: Palette): string[] {
  return specLines(before, after)
    .filter((line) => line.sign !== ' ')
    .map((line) => `      ${(line.sign === '-' ? paint.red : paint.green)(specLineText(line))}`);
}

function driftLines(drift: PlannedDrift, style: Style): string[] {
  const versions = `current ${style.digest(drift.current)} → upstream ${style.digest(drift.upstream)}`;
  const header = `  ${style.paint.magenta('!')} ${drift.address}  ${drift.from}  ${versions}`;
  return [
    header,
    ...rowLines(
      drift.platforms.map((row) => ({ ...row, index: false })),
      style,
    ),
  ];
}

function errorLine(error: PlannedError, style: Style): string {
  return `  ${style.paint.red('✗')} ${error.address}: ${error.message}`;
}

function rowLines(rows: DisplayRow[], style: Style): string[] {
  const width = Math.max(MIN_PLATFORM_WIDTH, ...rows.map((row) => row.platform.length));
  return rows.map((row) => {
    const text = `${row.platform.padEnd(width)}  ${rowDigests(row, style.digest)}`;
    if (row.action === 'noop') return `    ${style.paint.dim(`  ${text}`)}`;
    return `    ${row.index ? ' ' : symbol(row.action, style.paint)} ${text}`;
  });
}

function rowDigests(row: DisplayRow, digest: (d: string) => string): string {
  const before = row.before === null ? '' : digest(row.before);
  const after = row.after === null ? '' : digest(row.after);
  switch (row.action) {
    case 'create':
      return after;
    case 'delete':
      return before;
    case 'update':
      return `${before} → ${after}`;
    case 'noop':
      return `${before} (unchanged)`;
  }
}

function symbol(action: ChangeAction, paint: Palette): string {
  return paint[COLORS[action]](SYMBOLS[action]);
}

function summaryLine(plan: Plan, paint: Palette): string {
  const { summary } = plan;
  const sentences = hasChanges(plan)
    ? [`${paint.bold('Plan:')} ${actionCounts(summary)}.`, `${summary.noop} unchanged.`]
    : [`${paint.bold('No changes.')} ${countOf(summary.noop, 'tag')} up to date.`];
  if (summary.copy) sentences.push(`Local store: ${copyAmount(summary.copy)}.`);
  if (summary.drift > 0) sentences.push(`${driftSentence(summary.drift)}.`);
  if (summary.error > 0) sentences.push(`${errorSentence(summary.error)}.`);
  return sentences.join(' ');
}
