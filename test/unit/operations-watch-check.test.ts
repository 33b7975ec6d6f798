import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import type { Catalog, CatalogTag } from '../../src/core/catalog.js';
import type { LockInfo } from '../../src/core/errors.js';
import type { State } from '../../src/core/state-model.js';
import { applyPlan } from '../../src/engine/apply.js';
import { type CatalogRepositories, catalogRepositories } from '../../src/engine/catalog-repositories.js';
import { planCatalog } from '../../src/engine/plan.js';
import { systemClock } from '../../src/engine/watch/clock.js';
import type { TagCheckContext } from '../../src/engine/watch/watch.js';
import { startTagCheck } from '../../src/operations/watch-check.js';
import type { ImageRepository } from '../../src/registry/repository.js';
import { acquireLock, journalPath, lockPath, StateStore } from '../../src/state/index.js';
import { type TempDir, tempDir } from '../helpers/cli.js';
import { type ImageSpec, writeImageLayout } from '../helpers/images.js';

/** A workspace with an OCI layout `upstream/` whose tags the catalog's scheduled tags follow. */
class Workspace {
  readonly temp: TempDir = tempDir('imagestreams-watch-check-');
  readonly lockWaits: (LockInfo | null)[] = [];
  private repositories: CatalogRepositories | undefined;

  get statePath(): string {
    return join(this.temp.path, 'imagestreams.state.json');
  }

  push(tag: string, seed: string, spec: Partial<ImageSpec> = {}): string {
    const layout = writeImageLayout(join(this.temp.path, 'upstream'), {
      tags: { [tag]: { platforms: ['linux/amd64', 'linux/arm64'], seed, ...spec } },
    });
    return layout.tags[tag]!.digest;
  }

  catalog(tags: Record<string, string>): Catalog {
    const lines = Object.entries(tags).map(
      ([name, upstream]) => `      ${name}:\n        from: oci:upstream:${upstream}\n        scheduled: true`,
    );
    const text = `apiVersion: imagestreams/v1\nkind: Catalog\nstreams:\n  app:\n    tags:\n${lines.join('\n')}\n`;
    return parseCatalog(text, join(this.temp.path, 'imagestreams.yaml'));
  }

  context(catalog: Catalog, wrap: (repo: ImageRepository) => ImageRepository = (r) => r): TagCheckContext {
    this.repositories = catalogRepositories(catalog, { env: {}, homeDir: this.temp.path });
    const repositories = this.repositories;
    return {
      catalog,
      openTag: (tag) => wrap(repositories.openTag(tag)),
      clock: systemClock,
      lockPollMs: 20,
      onLockWait: (_, holder) => this.lockWaits.push(holder),
    };
  }

  state(): State {
    return JSON.parse(readFileSync(this.statePath, 'utf8')) as State;
  }

  stateText(): string | undefined {
    return existsSync(this.statePath) ? readFileSync(this.statePath, 'utf8') : undefined;
  }

  async close(): Promise<void> {
    await this.repositories?.close();
    this.temp.remove();
  }
}

let ws: Workspace;
beforeEach(() => {
  ws = new Workspace();
});
afterEach(() => ws.close());

const neverStop = new AbortController().signal;

/** The whole catalog planned against an empty state, as the first apply sees it. */
function freshPlan(catalog: Catalog, context: TagCheckContext) {
  return planCatalog(catalog, null, {
    targets: [],
    reimport: [],
    refresh: true,
    concurrency: 1,
    openTag: context.openTag,
  });
}

function check(catalog: Catalog, context: TagCheckContext, address = 'app:latest', stop = neverStop) {
  const tag = catalog.tags.find((t) => t.address === address) as CatalogTag;
  return startTagCheck(tag, context, stop);
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('checking one scheduled tag', () => {
  it('imports a new tag and leaves no lock behind', async () => {
    const upstream = ws.push('app', 'v1');
    const catalog = ws.catalog({ latest: 'app' });
    const outcome = await check(catalog, ws.context(catalog)).done;
    expect(outcome).toMatchObject({ kind: 'imported', action: 'create', reason: 'new_tag', previous: null });
    const tag = ws.state().streams.app?.tags.latest;
    expect(tag?.items.map((i) => i.sourceDigest)).toEqual([upstream]);
    expect(tag?.conditions).toEqual([]);
    expect(existsSync(lockPath(ws.statePath))).toBe(false);
  });

  it('writes nothing when the upstream has not moved', async () => {
    ws.push('app', 'v1');
    const catalog = ws.catalog({ latest: 'app' });
    const context = ws.context(catalog);
    await check(catalog, context).done;
    const before = ws.stateText();
    const outcome = await check(catalog, context).done;
    expect(outcome).toEqual({ kind: 'unchanged', digest: ws.state().streams.app?.tags.latest?.items[0]?.digest });
    expect(ws.stateText()).toBe(before);
  });

  it('re-imports a tag whose upstream moved, keeping the previous item in its history', async () => {
    const first = ws.push('app', 'v1');
    const catalog = ws.catalog({ latest: 'app' });
    const context = ws.context(catalog);
    await check(catalog, context).done;
    const previous = ws.state().streams.app?.tags.latest?.items[0]?.digest;
    const moved = ws.push('app', 'v2');
    const outcome = await check(catalog, context).done;
    expect(outcome).toMatchObject({ kind: 'imported', action: 'update', reason: 'upstream_moved', previous });
    expect(ws.state().streams.app?.tags.latest?.items.map((i) => i.sourceDigest)).toEqual([moved, first]);
  });

  it('records a failure as a condition once, and clears it with the import that succeeds', async () => {
    ws.push('other', 'v1');
    const catalog = ws.catalog({ latest: 'later' });
    const context = ws.context(catalog);
    const failed = await check(catalog, context).done;
    expect(failed).toMatchObject({ kind: 'failed', reason: 'NotFound' });
    const recorded = ws.state();
    expect(recorded.streams.app?.tags.latest).toMatchObject({
      items: [],
      conditions: [{ type: 'ImportSuccess', status: 'False', reason: 'NotFound' }],
    });
    expect(await check(catalog, context).done).toMatchObject({ kind: 'failed', reason: 'NotFound' });
    expect(ws.state().serial).toBe(recorded.serial);

    ws.push('later', 'v1');
    expect(await check(catalog, context).done).toMatchObject({ kind: 'imported', action: 'create' });
    expect(ws.state().streams.app?.tags.latest?.conditions).toEqual([]);
  });

  it('clears the condition of an earlier failure when the upstream answers again unchanged', async () => {
    ws.push('app', 'v1');
    const catalog = ws.catalog({ latest: 'app' });
    const context = ws.context(catalog);
    await check(catalog, context).done;
    const items = ws.state().streams.app?.tags.latest?.items;
    const layout = join(ws.temp.path, 'upstream');
    renameSync(layout, `${layout}.away`);
    expect(await check(catalog, context).done).toMatchObject({ kind: 'failed' });
    expect(ws.state().streams.app?.tags.latest).toMatchObject({ items, conditions: [{ status: 'False' }] });
    renameSync(`${layout}.away`, layout);
    expect(await check(catalog, context).done).toMatchObject({ kind: 'unchanged' });
    expect(ws.state().streams.app?.tags.latest).toMatchObject({ items, conditions: [] });
  });

  it('waits while another process (an apply) holds the state lock, then imports', async () => {
    ws.push('app', 'v1');
    const catalog = ws.catalog({ latest: 'app' });
    const apply = await acquireLock(ws.statePath, { operation: 'apply' });
    const job = check(catalog, ws.context(catalog));
    await until(() => ws.lockWaits.length > 0);
    expect(ws.lockWaits).toEqual([expect.objectContaining({ id: apply.info.id, operation: 'apply' })]);
    await apply.release();
    await expect(job.done).resolves.toMatchObject({ kind: 'imported' });
  });

  it('does not import again what an apply imported while it waited for the lock', async () => {
    ws.push('app', 'v1');
    const catalog = ws.catalog({ latest: 'app' });
    const context = ws.context(catalog);
    const apply = await acquireLock(ws.statePath, { operation: 'apply' });
    const job = check(catalog, context);
    await until(() => ws.lockWaits.length > 0);
    const store = await StateStore.open(ws.statePath);
    const plan = await freshPlan(catalog, context);
    await applyPlan(plan, { store, openRepository: () => context.openTag(catalog.tags[0]!), concurrency: 1 });
    const applied = ws.stateText();
    await apply.release();
    await expect(job.done).resolves.toMatchObject({ kind: 'unchanged' });
    expect(ws.stateText()).toBe(applied);
  });

  it('does not bring back a tag forgotten while it waited for the lock (a discovered tag that left its window)', async () => {
    ws.push('app', 'v1');
    const catalog = ws.catalog({ latest: 'app' });
    const context = ws.context(catalog);
    await check(catalog, context).done;
    ws.push('app', 'v2');
    const listing = await acquireLock(ws.statePath, { operation: 'watch' });
    const job = check(catalog, context);
    await until(() => ws.lockWaits.length > 0);
    const store = await StateStore.open(ws.statePath);
    await store.record({ op: 'deleteTag', stream: 'app', tag: 'latest' });
    await store.commit();
    await store.close();
    await listing.release();
    await expect(job.done).resolves.toEqual({ kind: 'unchanged', digest: null });
    expect(ws.state().streams.app?.tags.latest).toBeUndefined();
  });

  it('gives up waiting for the lock when stopped, writing nothing', async () => {
    ws.push('app', 'v1');
    const catalog = ws.catalog({ latest: 'app' });
    const apply = await acquireLock(ws.statePath, { operation: 'apply' });
    const stop = new AbortController();
    const job = check(catalog, ws.context(catalog), 'app:latest', stop.signal);
    await until(() => ws.lockWaits.length > 0);
    stop.abort();
    await expect(job.done).resolves.toEqual({ kind: 'abandoned' });
    expect(ws.stateText()).toBeUndefined();
    await apply.release();
  });

  it('when abandoned in the middle of an import, releases the lock and writes nothing more', async () => {
    ws.push('app', 'v1');
    const catalog = ws.catalog({ latest: 'app' });
    let reached!: () => void;
    const blobRequested = new Promise<void>((resolve) => {
      reached = resolve;
    });
    let proceed!: () => void;
    const gate = new Promise<void>((resolve) => {
      proceed = resolve;
    });
    const slowBlobs = (repo: ImageRepository): ImageRepository => ({
      name: repo.name,
      head: (ref) => repo.head(ref),
      getManifest: (ref) => repo.getManifest(ref),
      pullSpec: (digest) => repo.pullSpec(digest),
      getBlob: async (digest, max) => {
        reached();
        await gate;
        return repo.getBlob(digest, max);
      },
    });
    const job = check(catalog, ws.context(catalog, slowBlobs));
    await blobRequested;
    expect(existsSync(lockPath(ws.statePath))).toBe(true);
    await job.abandon();
    expect(existsSync(lockPath(ws.statePath))).toBe(false);
    proceed();
    await job.done;
    expect(ws.stateText()).toBeUndefined();
    expect(existsSync(journalPath(ws.statePath))).toBe(false);
  });
});

describe('checking a scheduled tag that other tags follow', () => {
  const followed = () =>
    parseCatalog(
      `apiVersion: imagestreams/v1
kind: Catalog
streams:
  app:
    tags:
      latest: { from: "oci:upstream:app", scheduled: true }
      stable: { from: { kind: ImageStreamTag, name: latest } }
`,
      join(ws.temp.path, 'imagestreams.yaml'),
    );

  it('leaves a follower that was never applied to apply', async () => {
    ws.push('app', 'v1');
    const catalog = followed();
    const outcome = await check(catalog, ws.context(catalog)).done;
    expect(outcome).toMatchObject({ kind: 'imported', action: 'create', followers: [] });
    expect(Object.keys(ws.state().streams.app!.tags)).toEqual(['latest']);
  });

  it('moves a follower with the tag when its upstream moves, naming it in the outcome', async () => {
    ws.push('app', 'v1');
    const catalog = followed();
    const context = ws.context(catalog);
    const plan = await freshPlan(catalog, context);
    const store = await StateStore.open(ws.statePath);
    await applyPlan(plan, { store, openRepository: () => context.openTag(catalog.tags[0]!), concurrency: 1 });
    await store.close();
    const before = ws.state().streams.app!.tags.stable!.items[0]!.digest;

    ws.push('app', 'v2');
    const outcome = await check(catalog, context).done;
    expect(outcome).toMatchObject({ kind: 'imported', reason: 'upstream_moved', followers: ['app:stable'] });
    const tags = ws.state().streams.app!.tags;
    expect(tags.stable!.items.map((i) => i.digest)).toEqual([tags.latest!.items[0]!.digest, before]);
  });
});
