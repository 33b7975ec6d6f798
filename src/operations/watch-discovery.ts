import type { Catalog } from '../core/catalog.js';
import type { StreamDiscovery } from '../core/discovery.js';
import { importReason, tagState } from '../core/planner.js';
import type { State } from '../core/state-model.js';
import { discoverStreams } from '../engine/discover.js';
import { type DiscoveryResult, withDiscoveredTags } from '../engine/discovered-catalog.js';
import type { CheckOutcome, ListedOutcome } from '../engine/watch/events.js';
import { asFailure, HeldResources } from '../engine/watch/held-resources.js';
import type { ListingContext } from '../engine/watch/options.js';
import type { TagJob } from '../engine/watch/scheduler.js';
import { planningState, StateStore } from '../state/index.js';

/**
 * Starts listing a discovery's repository for `watch`: applies its policy, and when tags left the window (and
 * `prune` is not false) takes the state lock (waiting while another process holds it), re-reads the state and
 * forgets them, as apply would. A listing that fails writes nothing: the stream's discovered tags stay as they are.
 * Once `stop` is aborted, a listing that does not hold the lock yet gives up.
 */
export function startListing(discovery: StreamDiscovery, context: ListingContext, stop: AbortSignal): TagJob {
  const held = new HeldResources();
  return { done: listAndForget(discovery, context, stop, held).catch(asFailure), abandon: () => held.abandon() };
}

async function listAndForget(
  discovery: StreamDiscovery,
  context: ListingContext,
  stop: AbortSignal,
  held: HeldResources,
): Promise<CheckOutcome> {
  const { catalog } = context;
  const [result] = await discoverStreams(
    { ...catalog, discoveries: [discovery] },
    { targets: [], concurrency: 1, discover: context.discover },
  );
  if (result!.outcome.kind === 'failed') {
    const { reason, message } = result!.outcome;
    return { kind: 'failed', reason, message };
  }
  const observed = listedOutcome(catalog, planningState(await StateStore.open(catalog.statePath)), result!);
  if (observed.found.removed.length === 0) return observed;
  if (stop.aborted) return { kind: 'abandoned' };
  const lock = await held.lockState(catalog.statePath, discovery.stream, context, stop);
  if (!lock) return { kind: 'abandoned' };
  try {
    held.store = await StateStore.open(catalog.statePath);
    const fresh = listedOutcome(catalog, planningState(held.store), result!);
    for (const tag of fresh.found.removed) await held.store.record({ op: 'deleteTag', stream: discovery.stream, tag });
    await held.store.commit();
    return fresh;
  } finally {
    await lock.release();
  }
}

/** What a listing makes of the stream against `state`: its discovered tags, those leaving, those to import at once. */
function listedOutcome(catalog: Catalog, state: State | null, result: DiscoveryResult): ListedOutcome {
  const found = withDiscoveredTags(catalog, state, [result]);
  const tags = found.catalog.tags.slice(catalog.tags.length);
  const due = tags.filter((t) => importReason(t, tagState(state, t.stream, t.tag), new Set()) !== undefined);
  return { kind: 'listed', found: found.discoveries[0]!, tags, due: due.map((t) => t.address) };
}
