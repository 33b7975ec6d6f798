import type { PlannedDiscovery } from '../core/plan-model.js';

/**
 * One line per discovery: `postgres: discovered 3 of 3,000 tags from docker.io/library/postgres (semver >=15 <18);
 * 120 not versions, 2,870 out of range`, or why the listing failed.
 */
export function discoveryLine(discovery: PlannedDiscovery): string {
  const head = `${discovery.stream}: `;
  if (discovery.error) {
    return `${head}could not list ${discovery.repository} (${discovery.error.reason}): ${discovery.error.message}; its discovered tags are left as they are`;
  }
  const found = `discovered ${number(discovery.tags.length)} of ${number(discovery.listed)} tags from ${discovery.repository} (${discovery.policy})`;
  const left = leftOut(discovery);
  return `${head}${found}${left.length > 0 ? `; ${left.join(', ')}` : ''}`;
}

/** Why the other tags were left out, and what happens to those discovered earlier. */
function leftOut(discovery: PlannedDiscovery): string[] {
  const numerical = discovery.policy.startsWith('numerical');
  const parts: [number, string][] = [
    [discovery.filtered, 'filtered out'],
    [discovery.unordered, numerical ? 'not numbers' : 'not versions'],
    [discovery.outOfRange, 'out of range'],
    [discovery.retained.length, 'left the window and kept (prune: false)'],
  ];
  return parts.filter(([count]) => count > 0).map(([count, words]) => `${number(count)} ${words}`);
}

/** `3,000`. */
function number(value: number): string {
  return value.toLocaleString('en-US');
}
