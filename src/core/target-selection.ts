import type { CatalogTag } from './catalog.js';

/** True when `address` (`stream:tag`) is named by one of `targets` (`stream` or `stream:tag`); no targets name all. */
export function inScope(address: string, targets: readonly string[]): boolean {
  if (targets.length === 0) return true;
  const stream = address.slice(0, address.indexOf(':'));
  return targets.some((t) => t === address || t === stream);
}

/**
 * What `--target` selects, the one place that decides it: every catalog tag the targets name (a stream: all its
 * tags), and every tag of the state they name (to be removed). As Terraform takes a targeted resource's dependencies
 * along, what the selected catalog tags depend on is selected with them; a tag's only dependency today is its
 * source image, so the selected catalog tags are those named. No targets: everything.
 */
export function targetSelection(tags: readonly CatalogTag[], targets: readonly string[]): (address: string) => boolean {
  if (targets.length === 0) return () => true;
  const selected = new Set(tags.filter((t) => inScope(t.address, targets)).map((t) => t.address));
  return (address) => selected.has(address) || inScope(address, targets);
}
