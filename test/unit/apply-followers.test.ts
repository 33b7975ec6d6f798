import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import type { Catalog } from '../../src/core/catalog.js';
import { RegistryError } from '../../src/core/errors.js';
import { setRecordedTag } from '../../src/core/state-lookup.js';
import type { State } from '../../src/core/state-model.js';
import { applyPlan } from '../../src/engine/apply.js';
import { type CatalogRepositories, catalogRepositories } from '../../src/engine/catalog-repositories.js';
import { planCatalog } from '../../src/engine/plan.js';
import type { JournalEntry, StateStore } from '../../src/state/index.js';
import { type TempDir, tempDir } from '../helpers/cli.js';
import { writeImageLayout } from '../helpers/images.js';

let temp: TempDir;
let repositories: CatalogRepositories;
let catalog: Catalog;

/** `app:a` imports from a layout; `app:b` follows it and `app:c` follows `app:b`. */
beforeEach(() => {
  temp = tempDir('imagestreams-apply-followers-');
  writeImageLayout(join(temp.path, 'upstream'), { tags: { a: { platforms: ['linux/amd64', 'linux/arm64'] } } });
  const text = `apiVersion: imagestreams/v1
kind: Catalog
streams:
  app:
    tags:
      c: { from: "app:b" }
      b: { from: { kind: ImageStreamTag, name: a } }
      a: { from: "oci:upstream:a" }
`;
  catalog = parseCatalog(text, join(temp.path, 'imagestreams.yaml'));
  repositories = catalogRepositories(catalog, { env: {}, homeDir: temp.path });
});

afterEach(() => repositories.close());

/** A store that applies what is recorded to its state, in memory. */
class MemoryStore {
  readonly state: State = { version: 1, lineage: 'l', serial: 0, streams: {} };
  readonly priorSerial = 0;
  readonly order: string[] = [];

  async record(entry: JournalEntry): Promise<void> {
    if (entry.op === 'setTag') setRecordedTag(this.state, entry.stream, entry.tag, entry.value);
    this.order.push(`${entry.stream}:${entry.tag}`);
  }

  async commit(): Promise<boolean> {
    return true;
  }
}

async function apply(failing?: ReadonlyMap<string, RegistryError>) {
  const plan = await planCatalog(catalog, null, {
    targets: [],
    reimport: [],
    refresh: true,
    concurrency: 2,
    openTag: repositories.openTag,
  });
  const store = new MemoryStore();
  const tags = new Map(catalog.tags.map((t) => [t.address, t]));
  const result = await applyPlan(plan, {
    store: store as unknown as StateStore,
    openRepository: (change) => repositories.openTag(tags.get(change.address)!),
    concurrency: 2,
    ...(failing && { failing }),
  });
  return { plan, store, result };
}

describe('apply of tags that follow other tags', () => {
  it('records each follower after its target, with the target’s item (metadata included)', async () => {
    const { plan, store, result } = await apply();
    expect(store.order).toEqual(['app:a', 'app:b', 'app:c']);
    expect(result.imported.sort()).toEqual(['app:a', 'app:b', 'app:c']);
    const a = store.state.streams.app!.tags.a!.items[0]!;
    expect(a.digest).toBe(plan.changes.find((c) => c.address === 'app:a')!.after!.digest);
    for (const tag of ['b', 'c']) {
      const item = store.state.streams.app!.tags[tag]!.items[0]!;
      expect(item).toEqual({ ...a, created: item.created });
    }
    expect(store.state.streams.app!.tags.c!.spec).toMatchObject({ from: 'app:b', fromKind: 'ImageStreamTag' });
  });

  it('fails a follower whose target failed to import, keeping its previous items', async () => {
    const failing = new Map([['app:a', new RegistryError('Unauthorized', 'denied')]]);
    const { store, result } = await apply(failing);
    expect(result.failed.map((f) => [f.address, f.reason])).toEqual([
      ['app:a', 'Unauthorized'],
      ['app:b', 'NotFound'],
      ['app:c', 'NotFound'],
    ]);
    expect(result.failed[1]!.message).toMatch(
      /^app:b follows app:a, but app:a does not hold sha256:[0-9a-f]{64}: its import did not complete$/,
    );
    expect(store.state.streams.app!.tags.b!.items).toEqual([]);
  });
});
