import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import type { CatalogTag } from '../../src/core/catalog.js';
import { CatalogError } from '../../src/core/errors.js';
import { CredentialsError } from '../../src/credentials/index.js';
import { nextCheckDelay } from '../../src/engine/watch/delays.js';
import type { TagOutcome, WatchEvent } from '../../src/engine/watch/events.js';
import { Watch, type WatchedCatalog, type WatchOptions } from '../../src/engine/watch/watch.js';
import type { ImageRepository } from '../../src/registry/repository.js';
import { tempDir } from '../helpers/cli.js';
import { ManualClock, settle } from '../helpers/manual-clock.js';

const dir = tempDir('imagestreams-watch-');
afterEach(() => dir.remove());

/** A catalog whose tags are `name: scheduled?`, each from its own registry tag; `scheduleInterval` 1m. */
function catalogSource(tags: Record<string, boolean>, extra = ''): WatchedCatalog & { closed: boolean } {
  const lines = Object.entries(tags).map(
    ([name, scheduled]) =>
      `      ${name}:\n        from: registry.example/app:${name}\n        scheduled: ${scheduled}`,
  );
  const text = `apiVersion: imagestreams/v1\nkind: Catalog\ndefaults:\n  scheduleInterval: 1m\nstreams:\n  app:\n    tags:\n${lines.join('\n')}\n${extra}`;
  const source = {
    catalog: parseCatalog(text, join(dir.path, 'imagestreams.yaml')),
    openTag: (): ImageRepository => {
      throw new Error('not used');
    },
    closed: false,
    close: async () => {
      source.closed = true;
    },
  };
  return source;
}

const UNCHANGED: TagOutcome = { kind: 'unchanged', digest: null };
const HOUR = 3_600_000;
/** A check the registry rate-limited, asking (Retry-After) to wait `retryAfterMs`. */
function rateLimited(retryAfterMs: number): TagOutcome {
  return { kind: 'failed', reason: 'TooManyRequests', message: 'HTTP 429', retryAfterMs };
}

/** Checks that end at once with what `outcome` says for the tag. */
function answering(outcome: (tag: CatalogTag) => TagOutcome): WatchOptions['startCheck'] {
  return (tag) => ({ done: Promise.resolve(outcome(tag)), abandon: async () => {} });
}

function harness(initial: WatchedCatalog, options: Partial<WatchOptions> = {}) {
  const clock = new ManualClock();
  const events: WatchEvent[] = [];
  const checks: { address: string; at: number }[] = [];
  let catalogChanged: () => unknown = () => {};
  const reloads: (() => Promise<WatchedCatalog>)[] = [];
  const watch = new Watch({
    initial,
    reload: () => (reloads.shift() ?? (() => Promise.resolve(initial)))(),
    watchCatalog: (_, onChange) => {
      catalogChanged = onChange;
      return () => {};
    },
    clock,
    random: () => 0,
    importsPerMinute: 0,
    startCheck: answering((tag) => {
      checks.push({ address: tag.address, at: clock.now() });
      return UNCHANGED;
    }),
    onEvent: (event) => events.push(event),
    ...options,
  });
  return {
    clock,
    watch,
    events,
    checks,
    /** Waits until the watch has started (it reads the state file first). */
    started: async () => {
      while (!events.some((e) => e.type === 'started')) await settle();
    },
    types: () => events.map((e) => e.type),
    /** The catalog file changes; the next reload answers `next`. */
    changeCatalog: async (next: () => Promise<WatchedCatalog>) => {
      reloads.push(next);
      // The reload reads the state file: wait for it, not only for pending microtasks.
      await catalogChanged();
      await settle();
    },
  };
}

describe('watch', () => {
  it('checks the scheduled tags only: pinned tags are never touched', async () => {
    const h = harness(catalogSource({ followed: true, pinned: false }), { once: true });
    const summary = await h.watch.run();
    expect(h.checks.map((c) => c.address)).toEqual(['app:followed']);
    expect(h.events[0]).toMatchObject({ type: 'started', tags: 1, once: true });
    expect(summary).toEqual({ checks: 1, imported: 0, failed: 0, abandoned: 0, unchecked: 0 });
  });

  it('checks each tag every scheduleInterval, or every --interval when given', async () => {
    for (const [intervalMs, expected] of [
      [undefined, 60_000],
      [5_000, 5_000],
    ] as const) {
      const h = harness(catalogSource({ a: true }), intervalMs ? { intervalMs } : {});
      const running = h.watch.run();
      await h.started();
      await h.clock.advance(2 * expected);
      const [first, second] = h.checks.map((c) => c.at);
      expect(second! - first!).toBe(expected);
      h.watch.stop('test');
      await running;
    }
  });

  it('stamps a settled check with the time its next check is counted from, however the clock moves meanwhile', async () => {
    const base = new ManualClock();
    let reads = 0;
    const ticking = { now: () => base.now() + reads++, sleep: base.sleep.bind(base) };
    const h = harness(catalogSource({ a: true }), { clock: ticking });
    const running = h.watch.run();
    await h.started();
    await base.advance(3 * 60_000);
    const checks = h.events.filter((e) => e.type === 'unchanged');
    expect(checks.length).toBeGreaterThanOrEqual(2);
    for (const check of checks) {
      expect(Date.parse(String(check.nextCheck)) - Date.parse(check.time)).toBe(nextCheckDelay(60_000, () => 0));
    }
    h.watch.stop('test');
    await running;
  });

  it('stamps events with the clock and ends with a summary', async () => {
    const h = harness(catalogSource({ a: true }));
    const running = h.watch.run();
    await h.started();
    await h.clock.advance(1_000);
    h.watch.stop('SIGTERM');
    await running;
    expect(h.types()).toEqual(['started', 'unchanged', 'stopping', 'stopped']);
    expect(h.events[0]?.time).toBe('2026-01-01T00:00:00.000Z');
    expect(h.events.at(-1)).toMatchObject({ type: 'stopped', checks: 1, imported: 0, failed: 0, abandoned: 0 });
  });

  describe('reloading the catalog when its file changes', () => {
    it('watches the tags of the new catalog and closes the old one', async () => {
      const initial = catalogSource({ kept: true, removed: true });
      const h = harness(initial);
      const running = h.watch.run();
      await h.started();
      await h.clock.advance(0);
      const next = catalogSource({ kept: true, added: true, pinned: false });
      await h.changeCatalog(async () => next);
      expect(h.events.find((e) => e.type === 'catalog-reloaded')).toMatchObject({ tags: 2 });
      expect(h.watch.schedule().map((e) => e.address)).toEqual(['app:kept', 'app:added']);
      expect(initial.closed).toBe(true);
      h.checks.length = 0;
      await h.clock.advance(60_000);
      expect(h.checks.map((c) => c.address).sort()).toEqual(['app:added', 'app:kept']);
      h.watch.stop('test');
      await running;
      expect(next.closed).toBe(true);
    });

    it('reports an invalid catalog once and keeps the last good one', async () => {
      const h = harness(catalogSource({ a: true }));
      const running = h.watch.run();
      await h.started();
      const invalid = new CatalogError([
        { location: { file: 'imagestreams.yaml', line: 3, column: 5 }, message: 'unknown key "tgas"' },
      ]);
      await h.changeCatalog(() => Promise.reject(invalid));
      await h.changeCatalog(() => Promise.reject(invalid));
      expect(h.events.filter((e) => e.type === 'catalog-invalid')).toEqual([
        expect.objectContaining({ message: 'imagestreams.yaml:3:5: error: unknown key "tgas"' }),
      ]);
      expect(h.watch.schedule().map((e) => e.address)).toEqual(['app:a']);
      h.watch.stop('test');
      await running;
    });

    it('ignores a change that leaves the catalog bytes as they were', async () => {
      const h = harness(catalogSource({ a: true }));
      const running = h.watch.run();
      await h.started();
      const same = catalogSource({ a: true });
      await h.changeCatalog(async () => same);
      expect(same.closed).toBe(true);
      expect(h.types()).not.toContain('catalog-reloaded');
      h.watch.stop('test');
      await running;
    });
  });

  describe('reading the credentials again when what a credentials file holds changes', () => {
    const AUTH = '/run/secrets/pull/auth.json';
    /** `source` as loaded when the credentials file's bytes had digest `digest`. */
    const holding = (source: ReturnType<typeof catalogSource>, digest: string) =>
      Object.assign(source, { credentials: { paths: [AUTH], digests: new Map([[AUTH, digest]]) } });

    /** A watch of `initial` whose reloads answer `reload`; `credentialsChanged`: the credentials file's watch fires. */
    function credentialsHarness(initial: WatchedCatalog, reload: () => Promise<WatchedCatalog>) {
      const watchers = new Map<string, () => unknown>();
      const h = harness(initial, {
        reload,
        watchCatalog: (path, onChange) => {
          watchers.set(path, onChange);
          return () => watchers.delete(path);
        },
      });
      const credentialsChanged = async () => {
        await watchers.get(AUTH)?.();
        await settle();
      };
      return { ...h, watchers, credentialsChanged };
    }

    it('builds a new generation with the same catalog when the credentials file holds something else', async () => {
      const initial = holding(catalogSource({ a: true }), 'sha256:old');
      const next = holding(catalogSource({ a: true }), 'sha256:new');
      const h = credentialsHarness(initial, async () => next);
      const running = h.watch.run();
      await h.started();
      expect([...h.watchers.keys()].sort()).toEqual([AUTH, join(dir.path, 'imagestreams.yaml')].sort());
      await h.credentialsChanged();
      expect(h.events.filter((e) => e.type === 'catalog-reloaded')).toEqual([
        expect.objectContaining({ tags: 1, credentials: [AUTH] }),
      ]);
      expect(initial.closed).toBe(true);
      expect(next.closed).toBe(false);
      h.watch.stop('test');
      await running;
      expect(h.watchers.size).toBe(0);
    });

    it('keeps the current generation when the file was touched without a change', async () => {
      const initial = holding(catalogSource({ a: true }), 'sha256:same');
      const touched = holding(catalogSource({ a: true }), 'sha256:same');
      const h = credentialsHarness(initial, async () => touched);
      const running = h.watch.run();
      await h.started();
      await h.credentialsChanged();
      expect(h.types()).not.toContain('catalog-reloaded');
      expect(touched.closed).toBe(true);
      expect(initial.closed).toBe(false);
      h.watch.stop('test');
      await running;
    });

    it('reports a credentials file that cannot be used once, and goes on with the last good credentials', async () => {
      const initial = holding(catalogSource({ a: true }), 'sha256:good');
      const broken = new CredentialsError(`--authfile ${AUTH}:1:2: invalid JSON`);
      const h = credentialsHarness(initial, () => Promise.reject(broken));
      const running = h.watch.run();
      await h.started();
      await h.clock.advance(0);
      await h.credentialsChanged();
      await h.credentialsChanged();
      expect(h.events.filter((e) => e.type === 'credentials-invalid')).toEqual([
        expect.objectContaining({ message: `--authfile ${AUTH}:1:2: invalid JSON` }),
      ]);
      expect(h.types()).not.toContain('catalog-reloaded');
      expect(initial.closed).toBe(false);
      h.checks.length = 0;
      await h.clock.advance(60_000);
      expect(h.checks.map((c) => c.address)).toEqual(['app:a']);
      h.watch.stop('test');
      await running;
    });
  });

  it('stops gracefully on the first request and abandons running imports on the second', async () => {
    const h = harness(catalogSource({ a: true }), {
      startCheck: () => ({ done: new Promise<TagOutcome>(() => {}), abandon: async () => {} }),
    });
    const running = h.watch.run();
    await h.started();
    await h.clock.advance(0);
    h.watch.stop('SIGINT');
    expect(h.watch.stopping).toBe(true);
    h.watch.stop('SIGINT');
    await expect(running).resolves.toMatchObject({ abandoned: 1 });
    expect(h.types()).toEqual(['started', 'stopping', 'abandoned', 'stopped']);
  });

  it('with once, counts failures and tags left unchecked by a stop', async () => {
    const failing = harness(catalogSource({ a: true, b: true }), {
      once: true,
      startCheck: answering((tag) =>
        tag.tag === 'a' ? { kind: 'failed', reason: 'NotFound', message: 'gone' } : UNCHANGED,
      ),
    });
    await expect(failing.watch.run()).resolves.toMatchObject({ checks: 2, failed: 1, unchecked: 0 });

    const stopped = harness(catalogSource({ a: true, b: true }), { once: true, importsPerMinute: 1 });
    const running = stopped.watch.run();
    await stopped.started();
    await stopped.clock.advance(1_000);
    stopped.watch.stop('SIGTERM');
    await expect(running).resolves.toMatchObject({ checks: 1, unchecked: 1 });
  });

  it('announces the next check as far away as a Retry-After asked, and checks no tag of that registry before it', async () => {
    const checked: string[] = [];
    const h = harness(catalogSource({ a: true, b: true }), {
      startCheck: answering((tag) => {
        checked.push(tag.tag);
        return checked.length === 1 ? rateLimited(HOUR) : UNCHANGED;
      }),
    });
    const running = h.watch.run();
    await h.started();
    await h.clock.advance(0);
    const failed = h.events.find((e) => e.type === 'failed');
    expect(failed).toMatchObject({ address: `app:${checked[0]}`, reason: 'TooManyRequests', failures: 1 });
    const heldUntil = Date.parse(String(failed?.nextCheck));
    expect(heldUntil - Date.parse(String(failed?.time))).toBe(HOUR);

    const checksBefore = checked.length;
    await h.clock.advance(heldUntil - h.clock.now() - 1);
    expect(checked).toHaveLength(checksBefore);
    await h.clock.advance(1);
    expect(checked.slice(checksBefore).sort()).toEqual(['a', 'b']);
    h.watch.stop('test');
    await running;
  });
});
