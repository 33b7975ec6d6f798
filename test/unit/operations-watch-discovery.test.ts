import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import type { Catalog } from '../../src/core/catalog.js';
import type { State } from '../../src/core/state-model.js';
import { planCatalog } from '../../src/engine/plan.js';
import { systemClock } from '../../src/engine/watch/clock.js';
import type { WatchEvent } from '../../src/engine/watch/events.js';
import type { ListingContext } from '../../src/engine/watch/options.js';
import { catalogDiscovery } from '../../src/operations/discovery.js';
import { prepareWatch, WatchMetrics } from '../../src/operations/watch.js';
import { startListing } from '../../src/operations/watch-discovery.js';
import { acquireLock, StateStore } from '../../src/state/index.js';
import { appliedState } from '../helpers/applied-state.js';
import { useLayoutUpstream } from '../helpers/layout-upstream.js';

const work = useLayoutUpstream('imagestreams-watch-listing-');

/** `postgres` keeps the newest 2 versions of the layout `upstream`, its tags scheduled. */
function catalog(prune = true, from = 'oci:upstream'): Catalog {
  const text = `apiVersion: imagestreams/v1
kind: Catalog
streams:
  postgres:
    discover: { from: ${from}, policy: { semver: '>=15' }, keep: 2, scheduled: true, prune: ${prune} }
`;
  return parseCatalog(text, join(work.path, 'imagestreams.yaml'));
}

function context(cat: Catalog): ListingContext {
  const repositories = work.open(cat);
  return {
    catalog: cat,
    discover: catalogDiscovery(repositories).discover,
    clock: systemClock,
    lockPollMs: 20,
    onLockWait: () => {},
  };
}

/** What plan makes of the catalog with no state, with the repositories opened first in the test. */
function firstPlan(cat: Catalog) {
  const { discover } = context(cat);
  const options = { targets: [], reimport: [], refresh: true, concurrency: 1, openTag: work.first.openTag };
  return planCatalog(cat, null, { ...options, discover });
}

/** The state file with what a first apply of the catalog imports. */
async function appliedFirst(cat: Catalog): Promise<void> {
  const planned = await firstPlan(cat);
  const store = await StateStore.open(cat.statePath);
  const state: State = appliedState(planned);
  for (const [tag, value] of Object.entries(state.streams.postgres!.tags)) {
    await store.record({ op: 'setTag', stream: 'postgres', tag, value });
  }
  await store.commit();
}

function stateTags(cat: Catalog): string[] {
  const state = JSON.parse(readFileSync(cat.statePath, 'utf8')) as State;
  return Object.keys(state.streams.postgres?.tags ?? {}).sort();
}

const neverStop = new AbortController().signal;

describe('a watch listing of a discovery', () => {
  beforeEach(() => work.upstream(['15.1', '16.2']));

  it('forgets the tags that left the window and names the new ones to import at once', async () => {
    const cat = catalog();
    await appliedFirst(cat);
    work.upstream(['15.1', '16.2', '17.0']);
    const outcome = await startListing(cat.discoveries![0]!, context(cat), neverStop).done;
    expect(outcome).toMatchObject({
      kind: 'listed',
      found: { tags: ['17.0', '16.2'], added: ['17.0'], removed: ['15.1'] },
      due: ['postgres:17.0'],
    });
    expect(stateTags(cat)).toEqual(['16.2']);
  });

  it('with prune: false, keeps them and writes nothing', async () => {
    const cat = catalog(false);
    await appliedFirst(cat);
    const before = readFileSync(cat.statePath, 'utf8');
    work.upstream(['15.1', '16.2', '17.0']);
    const outcome = await startListing(cat.discoveries![0]!, context(cat), neverStop).done;
    expect(outcome).toMatchObject({ kind: 'listed', found: { removed: [], retained: ['15.1'] } });
    if (outcome.kind !== 'listed') throw new Error('not listed');
    expect(outcome.tags.map((t) => t.tag)).toEqual(['17.0', '16.2', '15.1']);
    expect(readFileSync(cat.statePath, 'utf8')).toBe(before);
  });

  it('gives up waiting for the state lock when stopped, writing nothing', async () => {
    const cat = catalog();
    await appliedFirst(cat);
    work.upstream(['15.1', '16.2', '17.0']);
    const apply = await acquireLock(cat.statePath, { operation: 'apply' });
    const stop = new AbortController();
    const job = startListing(cat.discoveries![0]!, { ...context(cat), onLockWait: () => stop.abort() }, stop.signal);
    await expect(job.done).resolves.toEqual({ kind: 'abandoned' });
    await apply.release();
    expect(stateTags(cat)).toEqual(['15.1', '16.2']);
  });

  it('fails without writing anything when the repository cannot be listed', async () => {
    const cat = catalog();
    await appliedFirst(cat);
    const missing = catalog(true, 'oci:gone');
    const outcome = await startListing(missing.discoveries![0]!, context(missing), neverStop).done;
    expect(outcome).toMatchObject({ kind: 'failed' });
    expect(existsSync(`${cat.statePath}.lock`)).toBe(false);
    expect(stateTags(cat)).toEqual(['15.1', '16.2']);
  });
});

describe('a watch listing that keeps a tag the stream also writes out', () => {
  beforeEach(() => work.upstream(['15.1', '16.2']));

  /** `postgres` discovers from the layout `upstream` and writes out `16.2`; `app:edge` is scheduled beside it. */
  function clashing(): Catalog {
    const text = `apiVersion: imagestreams/v1
kind: Catalog
streams:
  postgres:
    discover: { from: oci:upstream, policy: { semver: '>=15' }, keep: 2, scheduled: true }
    tags:
      "16.2": { from: oci:upstream:16.2 }
  app:
    tags:
      edge: { from: oci:upstream:15.1, scheduled: true }
`;
    return parseCatalog(text, join(work.path, 'imagestreams.yaml'));
  }

  /** What plan reports for the clash. */
  const clash = () =>
    `${join(work.path, 'imagestreams.yaml')}:7:7: error: tag "16.2" of stream "postgres" is also discovered from ` +
    'oci:upstream (discover on line 5): remove one of them, or leave the tag out of discover with include or exclude';

  it('fails with the catalog error plan reports, writing nothing', async () => {
    const cat = clashing();
    const ctx = context(cat);
    await expect(firstPlan(cat)).rejects.toThrow(clash());
    const outcome = await startListing(cat.discoveries![0]!, ctx, neverStop).done;
    expect(outcome).toEqual({ kind: 'failed', reason: 'CatalogError', message: clash() });
    expect(existsSync(cat.statePath)).toBe(false);
  });

  it('is logged and counted as that error, while the other streams’ tags are imported', async () => {
    const cat = clashing();
    const events: WatchEvent[] = [];
    const metrics = new WatchMetrics();
    const { watch } = await prepareWatch({
      loadCatalog: async () => cat,
      repositories: { env: {}, homeDir: work.path },
      once: true,
      importsPerMinute: 0,
      onEvent: (event) => {
        events.push(event);
        metrics.observe(event);
      },
    });
    const summary = await watch.run();
    expect(events.find((e) => e.type === 'discovery-failed')).toMatchObject({
      stream: 'postgres',
      reason: 'CatalogError',
      message: clash(),
    });
    expect(events.find((e) => e.type === 'imported')).toMatchObject({ address: 'app:edge', action: 'create' });
    expect(summary).toMatchObject({ imported: 1, failed: 1 });
    const text = metrics.render([]);
    expect(text).toContain('imagestreams_watch_failures_total{reason="CatalogError"} 1\n');
    expect(text).toContain('imagestreams_watch_failures_total{reason="InternalError"} 0\n');
  });
});
