import { shortDigest } from '../core/digest.js';
import { durationText } from '../core/duration-text.js';
import type { ChangeAction } from '../core/plan-model.js';
import { formatBytes } from './plan-text.js';

/** What a running copy has done, as the progress display knows it. */
export interface CopyProgress {
  bytes: number;
  /** What the plan counted for it; null when the plan did not say (or the copy already did more). */
  plannedBytes: number | null;
  /** The recent rate; null until it can be told. */
  bytesPerSecond: number | null;
}

/** An import in progress. */
export interface RunningImport {
  address: string;
  action: ChangeAction;
  copy?: CopyProgress;
}

const VERBS: Record<ChangeAction, [running: string, done: string]> = {
  create: ['importing', 'imported'],
  update: ['re-importing', 're-imported'],
  delete: ['removing from state', 'removed from state'],
  noop: ['', ''],
};

/** `app:1.0: re-importing`; with a copy, `app:1.0: importing 64.0 MiB of 256.0 MiB (25%), 32.0 MiB/s, about 6s left`. */
export function runningLine(running: RunningImport): string {
  const line = `${running.address}: ${VERBS[running.action][0]}`;
  return running.copy ? `${line} ${copyProgressText(running.copy)}` : line;
}

/** `app:1.0: imported sha256:0123456789ab`, with what its copy did when it copied. */
export function doneLine(address: string, action: ChangeAction, digest: string | null, copied?: CopiedTotal): string {
  const line = `${address}: ${VERBS[action][1]}${digest ? ` ${shortDigest(digest)}` : ''}`;
  return copied ? `${line} (${copiedText(copied)})` : line;
}

export function failedLine(address: string, reason: string, message: string): string {
  return `${address}: failed (${reason}): ${message}`;
}

/** `64.0 MiB of 256.0 MiB (25%), 32.0 MiB/s, about 6s left`; parts not known yet are left out. */
export function copyProgressText(copy: CopyProgress): string {
  const planned = copy.plannedBytes !== null && copy.plannedBytes >= copy.bytes ? copy.plannedBytes : null;
  const parts = [
    planned
      ? `${formatBytes(copy.bytes)} of ${formatBytes(planned)} (${Math.floor((copy.bytes / planned) * 100)}%)`
      : formatBytes(copy.bytes),
  ];
  if (copy.bytesPerSecond !== null) {
    parts.push(`${formatBytes(Math.round(copy.bytesPerSecond))}/s`);
    if (planned && planned > copy.bytes && copy.bytesPerSecond > 0)
      parts.push(`about ${durationText(Math.ceil((planned - copy.bytes) / copy.bytesPerSecond) * 1000)} left`);
  }
  return parts.join(', ');
}

/** What a copy did, start to end. */
export interface CopiedTotal {
  bytes: number;
  elapsedMs: number;
}

/** `copied 256.0 MiB in 2.3s, 111.3 MiB/s`; without a rate when it took no measurable time. */
export function copiedText(copied: CopiedTotal): string {
  const amount = `copied ${formatBytes(copied.bytes)}`;
  if (copied.elapsedMs < 1) return amount;
  const rate = formatBytes(Math.round((copied.bytes * 1000) / copied.elapsedMs));
  return `${amount} in ${secondsText(copied.elapsedMs / 1000)}, ${rate}/s`;
}

/** `0.4s`, `12.3s` under a minute; `1m20s`, `2h5m0s` above it (whole seconds). */
function secondsText(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  return durationText(Math.round(seconds) * 1000);
}
