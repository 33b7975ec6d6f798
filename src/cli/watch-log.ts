import { shortDigest } from '../core/digest.js';
import type { LockInfo } from '../core/errors.js';
import type { WatchEvent } from '../engine/watch/events.js';
import { countOf, REASON_WORDS } from '../render/plan-words.js';

/** What `watch` logs: the engine's events, where the metrics are served, and the catalog's and other warnings. */
export type WatchLogEvent =
  | WatchEvent
  | { time: string; type: 'metrics-listening'; url: string }
  | { time: string; type: 'catalog-warning'; file: string; line: number; column: number; message: string }
  | { time: string; type: 'warning'; message: string };

/** One log line (newline included): NDJSON with `json`, else the time and a sentence. */
export function formatWatchEvent(event: WatchLogEvent, json: boolean): string {
  return `${json ? JSON.stringify(event) : `${event.time} ${describeEvent(event)}`}\n`;
}

export function describeEvent(event: WatchLogEvent): string {
  switch (event.type) {
    case 'started':
      return event.once
        ? `checking the ${countOf(event.tags, 'scheduled tag')}${listing(event.discoveries)} of ${event.catalog} once`
        : `watching ${event.catalog}: ${countOf(event.tags, 'scheduled tag')}${repositories(event.discoveries)}, ${rate(event.importsPerMinute)}`;
    case 'metrics-listening':
      return `metrics on ${event.url}/metrics, health on ${event.url}/healthz`;
    case 'unchanged':
      return `${event.address} unchanged${event.digest ? ` (${shortDigest(event.digest)})` : ''}${recovered(event.recovered)}${next(event.nextCheck)}`;
    case 'imported': {
      const was = event.previous ? `, was ${shortDigest(event.previous)}` : '';
      const along = event.followers.length > 0 ? `, with ${event.followers.join(', ')}` : '';
      return `${event.address} imported ${shortDigest(event.digest)} (${REASON_WORDS[event.reason]}${was})${along}${recovered(event.recovered)}${next(event.nextCheck)}`;
    }
    case 'failed':
      return `${event.address} failed (${event.reason}): ${oneLine(event.message)}; ${countOf(event.failures, 'failure')} in a row${next(event.nextCheck, 'next try')}`;
    case 'discovered':
      return `${event.stream} listed ${event.repository}: ${keptWords(event)}${recovered(event.recovered)}${next(event.nextCheck, 'next listing')}`;
    case 'discovery-failed':
      return `${event.stream} ${listingFailure(event)} (${event.reason}): ${oneLine(event.message)}; its discovered tags are left as they are; ${countOf(event.failures, 'failure')} in a row${next(event.nextCheck, 'next try')}`;
    case 'lock-wait':
      return `${event.address} waits for the state lock${holder(event.holder)}`;
    case 'abandoned':
      return `${event.address} abandoned: stopped before it finished (nothing of it was written after the stop)`;
    case 'catalog-reloaded':
      return `catalog ${event.catalog} reloaded${credentialsChanged(event.credentials)}: ${countOf(event.tags, 'scheduled tag')}${repositories(event.discoveries)}`;
    case 'catalog-warning':
      return `${event.file}:${event.line}:${event.column}: warning: ${event.message}`;
    case 'warning':
      return `warning: ${event.message}`;
    case 'catalog-invalid':
      return `catalog ${event.catalog} is invalid, keeping the last good one: ${event.problems.map(oneLine).join('; ')}`;
    case 'credentials-invalid':
      return `credentials of catalog ${event.catalog} cannot be used, keeping the last good ones: ${oneLine(event.message)}`;
    case 'stopping':
      return `stopping (${event.reason})`;
    case 'stopped':
      return `stopped: ${countOf(event.checks, 'check')}, ${event.imported} imported, ${event.failed} failed, ${event.abandoned} abandoned`;
  }
}

/** ` with new credentials from auth.json`, when a credentials file changed. */
function credentialsChanged(files: string[] | undefined): string {
  return files ? ` with new credentials from ${files.join(', ')}` : '';
}

/** `, 2 discovered repositories` (listed every interval), when there are any. */
function repositories(count: number | undefined): string {
  return count ? `, ${countOf(count, 'discovered repository', 'discovered repositories')}` : '';
}

/** ` and listing the 1 discovered repository`, when there are any. */
function listing(count: number | undefined): string {
  return count ? ` and listing the ${countOf(count, 'discovered repository', 'discovered repositories')}` : '';
}

/** A listing the registry refused, or one whose tags the catalog cannot take (a tag it also writes out). */
function listingFailure({ reason, repository }: Extract<WatchEvent, { type: 'discovery-failed' }>): string {
  return reason === 'CatalogError' ? `cannot follow what it listed in ${repository}` : `could not list ${repository}`;
}

/** `kept 17.2, 17.1 (added 17.2; removed 16.0)`. */
function keptWords({ tags, added, removed, retained }: Extract<WatchEvent, { type: 'discovered' }>): string {
  const kept = tags.length > 0 ? `kept ${tags.join(', ')}` : 'kept no tag';
  const changes = Object.entries({ added, removed, retained })
    .filter(([, names]) => names.length > 0)
    .map(([words, names]) => `${words} ${names.join(', ')}`);
  return changes.length > 0 ? `${kept} (${changes.join('; ')})` : kept;
}

function rate(perMinute: number): string {
  return perMinute > 0 ? `at most ${countOf(perMinute, 'import')} a minute` : 'no import rate limit';
}

function recovered(yes: boolean): string {
  return yes ? ', recovered' : '';
}

function next(time: string | null, words = 'next check'): string {
  return time ? `; ${words} ${time}` : '';
}

function holder(info: LockInfo | null): string {
  return info ? ` held by ${info.operation || 'another process'} (${info.who}, pid ${info.pid}, lock ${info.id})` : '';
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, '; ');
}
