import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import type { StreamDiscovery } from '../../src/core/discovery.js';
import { discoveredCatalogTag } from '../../src/core/discovery-tags.js';
import type { CheckOutcome, TagOutcome, WatchEvent } from '../../src/engine/watch/events.js';
import type { StartListing } from '../../src/engine/watch/options.js';
import { Watch, type WatchedCatalog, type WatchOptions } from '../../src/engine/watch/watch.js';
import type { ImageRepository } from '../../src/registry/repository.js';
import { tempDir } from '../helpers/cli.js';
import { ManualClock, settle } from '../helpers/manual-clock.js';

const dir = tempDir('imagestreams-watch-discovery-');
afterEach(() => dir.remove());

const MINUTE = 60_000;

/**
 * `app:edge` scheduled, written out; `postgres` discovers its tags in registry.example/postgres, every minute (and
 * with `written`, writes out a scheduled `16.1` from another repository).
 */
function catalogSource(scheduled = true, { keep = 2, beta = false, written = false } = {}): WatchedCatalog {
  const text = `apiVersion: imagestreams/v1
kind: Catalog
defaults:
  scheduleInterval: 1m
streams:
  app:
    tags:
      edge: { from: registry.example/app:edge, scheduled: true }
${beta ? '      beta: { from: registry.example/app:beta }\n' : ''}  postgres:
    discover:
      from: registry.example/postgres
      policy: { semver: '>=15' }
      keep: ${keep}
      scheduled: ${scheduled}
${written ? '    tags:\n      "16.1": { from: registry.example/other:16.1, scheduled: true }\n' : ''}`;
  return {
    catalog: parseCatalog(text, join(dir.path, 'imagestreams.yaml')),
    openTag: (): ImageRepository => {
      throw new Error('not used');
    },
    discover: async () => {
      throw new Error('listings are answered by startListing');
    },
    close: async () => {},
  };
}

/** A listing that keeps `kept` (all of them new: due at once) and removed `removed`. */
function listed(discovery: StreamDiscovery, kept: string[], removed: string[] = []): CheckOutcome {
  const tags = kept.map((tag) => discoveredCatalogTag(discovery, tag, { preferPlatform: 'linux/amd64' }));
  const found = {
    stream: discovery.stream,
    repository: 'registry.example/postgres',
    policy: 'semver >=15',
    keep: 2,
    prune: true,
    tags: kept,
    listed: kept.length,
    filtered: 0,
    unordered: 0,
    outOfRange: 0,
    added: kept,
    removed,
    retained: [],
  };
  return { kind: 'listed', found, tags, due: tags.map((t) => t.address) };
}

const UNCHANGED: TagOutcome = { kind: 'unchanged', digest: null };
const UNREACHABLE: CheckOutcome = { kind: 'failed', reason: 'Unreachable', message: 'listing: connection refused' };

function harness(listings: ((d: StreamDiscovery) => CheckOutcome)[], options: Partial<WatchOptions> = {}) {
  const clock = new ManualClock();
  const events: WatchEvent[] = [];
  const checks: string[] = [];
  const startListing: StartListing = (discovery) => {
    checks.push(`list ${discovery.stream}`);
    const answer = listings.shift() ?? ((d: StreamDiscovery) => listed(d, []));
    return { done: Promise.resolve(answer(discovery)), abandon: async () => {} };
  };
  const initial = catalogSource();
  const watch = new Watch({
    initial,
    reload: async () => initial,
    watchCatalog: () => () => {},
    clock,
    random: () => 0,
    importsPerMinute: 0,
    startCheck: (tag) => {
      checks.push(tag.address);
      return { done: Promise.resolve(UNCHANGED), abandon: async () => {} };
    },
    startListing,
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { clock, watch, events, checks };
}

async function started(events: WatchEvent[]): Promise<void> {
  while (!events.some((e) => e.type === 'started')) await settle();
}

describe('watch and a stream whose discovered tags are scheduled', () => {
  it('lists the repository at once and then every interval, following the tags each listing keeps', async () => {
    const h = harness([(d) => listed(d, ['16.1', '16.0']), (d) => listed(d, ['17.0', '16.1'], ['16.0'])]);
    const running = h.watch.run();
    await started(h.events);
    expect(h.events[0]).toMatchObject({ type: 'started', tags: 1, discoveries: 1 });
    await h.clock.advance(0);
    expect(h.checks).toEqual(['list postgres', 'app:edge', 'postgres:16.1', 'postgres:16.0']);
    expect(h.events.find((e) => e.type === 'discovered')).toMatchObject({
      stream: 'postgres',
      tags: ['16.1', '16.0'],
      added: ['16.1', '16.0'],
      nextCheck: '2026-01-01T00:01:00.000Z',
    });

    h.checks.length = 0;
    await h.clock.advance(MINUTE);
    expect(h.checks).toContain('list postgres');
    expect(h.checks).toContain('postgres:17.0');
    expect(h.checks).not.toContain('postgres:16.0');
    expect(h.watch.schedule().map((e) => e.address)).toEqual([
      'postgres',
      'app:edge',
      'postgres:16.1',
      'postgres:17.0',
    ]);
    expect(h.events.filter((e) => e.type === 'discovered').at(-1)).toMatchObject({ removed: ['16.0'] });
    h.watch.stop('test');
    await running;
  });

  it('keeps following what it has when a listing fails, reports it, and backs off', async () => {
    const h = harness([(d) => listed(d, ['16.1']), () => UNREACHABLE, () => UNREACHABLE]);
    const running = h.watch.run();
    await started(h.events);
    await h.clock.advance(MINUTE);
    const waits = () =>
      h.events
        .filter((e) => e.type === 'discovery-failed')
        .map((e) => Date.parse(String(e.nextCheck)) - Date.parse(e.time));
    expect(h.events.find((e) => e.type === 'discovery-failed')).toMatchObject({
      stream: 'postgres',
      reason: 'Unreachable',
      failures: 1,
    });
    expect(h.watch.schedule().map((e) => e.address)).toContain('postgres:16.1');
    await h.clock.advance(MINUTE);
    expect(waits()).toEqual([MINUTE, 2 * MINUTE]);
    h.watch.stop('test');
    await running;
  });

  it('with once, lists once, imports what the listing kept in the same pass, and fails the pass when it fails', async () => {
    const h = harness([(d) => listed(d, ['16.1'])], { once: true });
    await expect(h.watch.run()).resolves.toMatchObject({ checks: 2, failed: 0, unchecked: 0 });
    expect(h.checks.sort()).toEqual(['app:edge', 'list postgres', 'postgres:16.1']);

    const failing = harness([() => UNREACHABLE], { once: true });
    await expect(failing.watch.run()).resolves.toMatchObject({ checks: 1, failed: 1 });
  });
});

describe('watch and a stream whose discovered tags are pinned', () => {
  it('lists nothing: pinned tags are apply’s to import', async () => {
    const initial = catalogSource(false);
    const h = harness([], { initial, once: true });
    await h.watch.run();
    expect(h.checks).toEqual(['app:edge']);
    expect(h.events[0]).not.toHaveProperty('discoveries');
  });
});

describe('watch reloading a catalog with a discovery', () => {
  it('keeps what the last listing found when the discovery is unchanged, and lists again at once when it changed', async () => {
    const reloads: WatchedCatalog[] = [catalogSource(true, { beta: true }), catalogSource(true, { keep: 3 })];
    const h = harness([(d) => listed(d, ['16.1']), (d) => listed(d, ['16.1', '16.0', '15.9'])], {
      reload: async () => reloads.shift()!,
    });
    const running = h.watch.run();
    await started(h.events);
    await h.clock.advance(0);
    expect(h.checks.filter((c) => c.startsWith('list '))).toHaveLength(1);

    await h.watch.catalogChanged();
    await h.clock.advance(0);
    expect(h.events.find((e) => e.type === 'catalog-reloaded')).toMatchObject({ tags: 2, discoveries: 1 });
    expect(h.checks.filter((c) => c.startsWith('list '))).toHaveLength(1);
    expect(h.watch.schedule().map((e) => e.address)).toContain('postgres:16.1');

    await h.watch.catalogChanged();
    await h.clock.advance(0);
    expect(h.checks.filter((c) => c.startsWith('list '))).toHaveLength(2);
    expect(h.watch.schedule().map((e) => e.address)).toContain('postgres:15.9');
    h.watch.stop('test');
    await running;
  });

  it('follows a tag the reloaded catalog writes out instead of the one the last listing kept with its name', async () => {
    const checked: { from: string; times: number }[] = [];
    const h = harness([(d) => listed(d, ['16.1', '16.0'])], {
      reload: async () => catalogSource(true, { written: true }),
      startCheck: (tag, context) => {
        const times = context.catalog.tags.filter((t) => t.address === tag.address).length;
        if (tag.address === 'postgres:16.1') checked.push({ from: tag.spec.from, times });
        return { done: Promise.resolve(UNCHANGED), abandon: async () => {} };
      },
    });
    const running = h.watch.run();
    await started(h.events);
    await h.clock.advance(0);
    await h.watch.catalogChanged();
    await h.clock.advance(0);
    expect(checked).toEqual([
      { from: 'registry.example/postgres:16.1', times: 1 },
      { from: 'registry.example/other:16.1', times: 1 },
    ]);
    expect(h.watch.schedule().filter((e) => e.address === 'postgres:16.1')).toHaveLength(1);
    h.watch.stop('test');
    await running;
  });
});
