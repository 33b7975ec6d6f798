import type { CatalogTag, ReferenceTag } from './catalog.js';
import { targetAddress } from './tag-reference.js';

/** True when `address` (`stream:tag`) is named by one of `targets` (`stream` or `stream:tag`); no targets name all. */
export function inScope(address: string, targets: readonly string[]): boolean {
  if (targets.length === 0) return true;
  const stream = address.slice(0, address.indexOf(':'));
  return targets.some((t) => t === address || t === stream);
}

/**
 * What `--target` selects, the one place that decides it: every catalog tag the targets name (a stream: all its
 * tags), and every tag of the state they name (to be removed). As Terraform takes a targeted resource's dependencies
 * along, a selected tag that follows another takes the tags it follows with it. No targets: everything.
 */
export function targetSelection(
  tags: readonly CatalogTag[],
  targets: readonly string[],
  references: readonly ReferenceTag[] = [],
): (address: string) => boolean {
  if (targets.length === 0) return () => true;
  const named = [...tags, ...references].filter((t) => inScope(t.address, targets)).map((t) => t.address);
  const selected = new Set(dependencyClosure(named, references));
  return (address) => selected.has(address) || inScope(address, targets);
}

/** `addresses` and every tag they follow, directly or through other followers. */
function dependencyClosure(addresses: readonly string[], references: readonly ReferenceTag[]): string[] {
  const follows = new Map(references.map((r) => [r.address, targetAddress(r.target)]));
  const closed = new Set<string>();
  const pending = [...addresses];
  for (let address = pending.pop(); address !== undefined; address = pending.pop()) {
    if (closed.has(address)) continue;
    closed.add(address);
    const next = follows.get(address);
    if (next) pending.push(next);
  }
  return [...closed];
}
