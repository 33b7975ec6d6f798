import type { StreamDiscovery } from '../core/discovery.js';
import { selectDiscovered, selectDiscoveredFrom } from '../core/discovery-select.js';
import type { Discoverer } from '../engine/discover.js';
import type { PolicyOfDiscovery } from '../engine/saved-plan/frozen-discoveries.js';
import type { OpenOptions } from '../registry/repositories.js';
import { listSourceTags } from '../registry/tag-lister.js';
import type { CatalogRepositories } from './repositories.js';

/** How a plan lists the repositories the catalog's streams discover tags in, and applies their policies. */
export interface CatalogDiscovery {
  discover: Discoverer;
  policy: PolicyOfDiscovery;
}

/**
 * Discovery through the catalog's repositories, opened as the tags' sources are (the catalog's registry settings
 * and credentials, the discovery's own `insecure`): the listing is read page by page and only what the policy keeps
 * is held.
 */
export function catalogDiscovery(repositories: CatalogRepositories): CatalogDiscovery {
  return {
    discover: (discovery) =>
      selectDiscovered(discovery, listSourceTags(repositories.repositories, discovery.source, openOptions(discovery))),
    policy: async (discovery, tags) => selectDiscoveredFrom(discovery, tags).kept,
  };
}

function openOptions(discovery: StreamDiscovery): OpenOptions {
  const written = discovery.from.startsWith('oci:') ? { displayPath: discovery.from.slice('oci:'.length) } : {};
  return { insecure: discovery.insecure, ...written };
}
