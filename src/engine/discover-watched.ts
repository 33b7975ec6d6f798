import type { Catalog } from '../core/catalog.js';
import type { State } from '../core/state-model.js';
import { type Discoverer, discoverStreams } from './discover.js';
import { withDiscoveredTags } from './discovered-catalog.js';

/**
 * The catalog `watch` follows: each stream's repository listed once (when the watch starts or reloads the catalog),
 * the tags kept made tags of the stream, so that its scheduled checks treat them as any tag. A listing that fails
 * keeps the discovered tags the state has. Its discoveries are then done: a check lists nothing again.
 */
export async function withDiscoveriesListed(
  catalog: Catalog,
  state: State | null,
  discover: Discoverer,
  concurrency: number,
): Promise<Catalog> {
  if ((catalog.discoveries ?? []).length === 0) return catalog;
  const results = await discoverStreams(catalog, { targets: [], concurrency, discover });
  const { discoveries: _, ...found } = withDiscoveredTags(catalog, state, results).catalog;
  return found;
}
