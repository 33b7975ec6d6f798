import type { Catalog } from '../core/catalog.js';
import type { DiscoveredTags, StreamDiscovery } from '../core/discovery.js';
import { RegistryError } from '../core/errors.js';
import { mapConcurrent } from './concurrency.js';
import type { DiscoveryOutcome, DiscoveryResult } from './discovered-catalog.js';

/** Lists a discovery's repository and applies its policy: what the registry offers now. */
export type Discoverer = (discovery: StreamDiscovery) => Promise<DiscoveredTags>;

export interface DiscoverOptions {
  targets: readonly string[];
  concurrency: number;
  /** Absent: nothing is listed, every discovery is `unlisted`. */
  discover?: Discoverer;
}

/** True when the plan's targets take in the stream (no targets: every stream). */
export function discoveryInScope(discovery: StreamDiscovery, targets: readonly string[]): boolean {
  return targets.length === 0 || targets.some((t) => t === discovery.stream || t.startsWith(`${discovery.stream}:`));
}

/**
 * Lists the repository of each discovery in scope. A listing the registry refuses or breaks off (past the retry
 * budget) is a failed discovery, never a partial one: what it had listed so far is dropped.
 */
export async function discoverStreams(catalog: Catalog, options: DiscoverOptions): Promise<DiscoveryResult[]> {
  const discoveries = catalog.discoveries ?? [];
  return mapConcurrent(discoveries, options.concurrency, async (discovery) => ({
    discovery,
    outcome:
      options.discover && discoveryInScope(discovery, options.targets)
        ? await listed(discovery, options.discover)
        : { kind: 'unlisted' },
  }));
}

async function listed(discovery: StreamDiscovery, discover: Discoverer): Promise<DiscoveryOutcome> {
  try {
    return { kind: 'listed', found: await discover(discovery) };
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    return { kind: 'failed', reason: error.reason, message: `listing ${discovery.from}: ${error.message}` };
  }
}
