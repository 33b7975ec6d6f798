import type { LeftAlone, LeftAloneReason, TagMove } from '../core/update-model.js';
import { versionChange } from '../core/version-tag.js';
import { escapeInline, tableCode } from './markdown.js';

/** What the pull-request body is made of. */
export interface UpdateBodyInput {
  /** The catalog's path as shown to the user. */
  catalog: string;
  moves: readonly TagMove[];
  leftAlone: readonly LeftAlone[];
}

/** The hidden line a CI job can find an earlier body by. */
export const UPDATE_MARKER = '<!-- imagestreams-update -->';
/** GitHub refuses a pull-request body over 65,536 characters. */
const MAX_BODY = 60_000;

/**
 * A pull-request body in markdown: what moves (from → to, and why), per tag the new digest of each platform, and
 * the tags left alone. Over 60,000 characters the per-platform tables are left out, saying so.
 */
export function renderUpdateBody(input: UpdateBodyInput): string {
  const full = body(input, true);
  return full.length <= MAX_BODY ? full : body(input, false);
}

function body(input: UpdateBodyInput, withPlatforms: boolean): string {
  const lines = [UPDATE_MARKER, '## Image updates', '', summary(input), ''];
  if (input.moves.length > 0) lines.push(...movesTable(input.moves), '');
  if (withPlatforms) for (const move of input.moves) lines.push(...platformTable(move), '');
  else if (input.moves.length > 0)
    lines.push('_The per-platform digests are left out: the body would be too long._', '');
  if (input.leftAlone.length > 0) lines.push(...leftAloneList(input.leftAlone), '');
  return `${lines.join('\n').trimEnd()}\n`;
}

function summary({ catalog, moves }: UpdateBodyInput): string {
  const where = tableCode(catalog);
  if (moves.length === 0) return `No pinned tag of ${where} has a newer version or digest upstream.`;
  return `\`imagestreams update\` moves ${count(moves.length, 'pinned tag')} of ${where} to what upstream offers now.`;
}

function movesTable(moves: readonly TagMove[]): string[] {
  return [
    '| Tag | From | To | Update |',
    '| --- | --- | --- | --- |',
    ...moves.map((m) => `| ${tableCode(m.address)} | ${tableCode(m.before)} | ${tableCode(m.after)} | ${kind(m)} |`),
  ];
}

/** `minor (16.2 → 16.4)`, `digest`, or both. */
function kind(move: TagMove): string {
  const parts: string[] = [];
  if (move.version) {
    const { from, to } = move.version;
    parts.push(`${versionChange(from, to) ?? 'version'} (${escapeInline(from)} → ${escapeInline(to)})`);
  }
  if (move.digest) parts.push('digest');
  return parts.join(', ');
}

function platformTable(move: TagMove): string[] {
  return [
    `### ${escapeInline(move.address)}`,
    '',
    '| Platform | Before | After |',
    '| --- | --- | --- |',
    ...move.platforms.map(
      (p) =>
        `| ${tableCode(p.platform)} | ${p.before === undefined ? '—' : tableCode(p.before)} | ${p.before === p.after ? 'unchanged' : tableCode(p.after)} |`,
    ),
  ];
}

const LEFT_ALONE: Record<LeftAloneReason, string> = {
  scheduled: 'scheduled: it follows its upstream already',
  'digest-only': 'pinned to a digest without a tag: there is no tag to follow',
  floating: 'neither a version nor pinned to a digest',
  layout: 'an image layout on disk',
};

function leftAloneList(leftAlone: readonly LeftAlone[]): string[] {
  return [
    `<details><summary>${count(leftAlone.length, 'tag')} left alone</summary>`,
    '',
    ...leftAlone.map((l) => `- ${tableCode(l.address)} (${tableCode(l.from)}): ${LEFT_ALONE[l.reason]}`),
    '',
    '</details>',
  ];
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
