import type { Discoverer } from '../engine/discover.js';
import type { PolicyOfDiscovery } from '../engine/saved-plan/frozen-discoveries.js';
import type { CatalogRepositories } from './repositories.js';

/** How a plan lists the repositories the catalog's streams discover tags in, and applies their policies. */
export interface CatalogDiscovery {
  discover: Discoverer;
  policy: PolicyOfDiscovery;
}

/** Discovery through the catalog's repositories: its registry settings and credentials, as the tags' sources. */
export function catalogDiscovery(_repositories: CatalogRepositories): CatalogDiscovery | undefined {
  return undefined;
}
