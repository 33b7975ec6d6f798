import type { Catalog } from '../../core/catalog.js';
import type { StreamDiscovery } from '../../core/discovery.js';
import type { PlanDocument, PlannedDiscovery } from '../../core/plan-model.js';
import { discoveryInScope } from '../discover.js';
import { type DiscoveryOutcome, type DiscoveryResult, discoveryRepository } from '../discovered-catalog.js';
import { firstDifference } from './difference.js';
import { mismatch } from './mismatch.js';

/** What a discovery's policy keeps of `tags`, newest first (the policy run over one page holding them). */
export type PolicyOfDiscovery = (discovery: StreamDiscovery, tags: readonly string[]) => Promise<string[]>;

/**
 * The discoveries a saved plan recorded, in place of listing again: for each stream of the catalog the plan's targets
 * take in, the tags the plan kept (or that its listing failed). The plan is trusted only as a record of what the
 * registry listed: the kept tags must be what the catalog's policy keeps of them, no more than `keep`, each once,
 * from the catalog's repository. Whether they were the newest the registry had is the plan's observation.
 * A failed listing of a stream outside the targets is taken too when its tags are scheduled: `plan --scheduled-only`
 * reports every listing that failed, also of a stream none of whose tags it plans (no other plan lists such a
 * stream); a failure keeps the stream's tags as the state has them, as an unlisted discovery does, so it changes
 * nothing apply does and is only reported again.
 */
export async function frozenDiscoveries(
  saved: PlanDocument,
  catalog: Catalog,
  policy: PolicyOfDiscovery,
): Promise<DiscoveryResult[]> {
  const recorded = byStream(saved.discoveries ?? []);
  const results: DiscoveryResult[] = [];
  for (const discovery of catalog.discoveries ?? []) {
    const entry = recorded.get(discovery.stream);
    if (!discoveryInScope(discovery, saved.targets)) {
      const failed = entry?.error && discovery.scheduled ? await frozenOutcome(discovery, entry, policy) : undefined;
      results.push({ discovery, outcome: failed ?? { kind: 'unlisted' } });
      continue;
    }
    if (!entry) throw mismatch(`it records no discovery for the stream ${discovery.stream}`);
    results.push({ discovery, outcome: await frozenOutcome(discovery, entry, policy) });
  }
  return results;
}

async function frozenOutcome(
  discovery: StreamDiscovery,
  entry: PlannedDiscovery,
  policy: PolicyOfDiscovery,
): Promise<DiscoveryOutcome> {
  const where = `the discovery of ${discovery.stream}`;
  if (entry.repository !== discoveryRepository(discovery)) throw mismatch(`${where} lists another repository`);
  if (entry.error) return { kind: 'failed', reason: entry.error.reason, message: entry.error.message };
  if (entry.tags.length > discovery.keep || new Set(entry.tags).size !== entry.tags.length) {
    throw mismatch(`${where} keeps more tags than the catalog allows`);
  }
  const kept = await policy(discovery, entry.tags);
  if (firstDifference(kept, entry.tags) !== undefined) {
    throw mismatch(`${where} keeps tags its policy does not keep, or not newest first`);
  }
  const { listed, filtered, unordered, outOfRange } = entry;
  return { kind: 'listed', found: { kept, listed, filtered, unordered, outOfRange } };
}

function byStream(entries: readonly PlannedDiscovery[]): Map<string, PlannedDiscovery> {
  const map = new Map<string, PlannedDiscovery>();
  for (const entry of entries) {
    if (map.has(entry.stream)) throw mismatch('it records a discovery twice');
    map.set(entry.stream, entry);
  }
  return map;
}
