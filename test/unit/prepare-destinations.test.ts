import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import type { Catalog } from '../../src/core/catalog.js';
import { RegistryError } from '../../src/core/errors.js';
import { setRecordedTag } from '../../src/core/state-lookup.js';
import type { State } from '../../src/core/state-model.js';
import { applyPlan } from '../../src/engine/apply.js';
import { type CatalogRepositories, catalogRepositories } from '../../src/engine/catalog-repositories.js';
import { catalogLocalStore, type LocalStore } from '../../src/engine/local-store.js';
import { prepareDestinations } from '../../src/engine/mirror/prepare.js';
import { planCatalog } from '../../src/engine/plan.js';
import type { DestinationAccess } from '../../src/registry/destination.js';
import type { JournalEntry, StateStore } from '../../src/state/index.js';
import { type TempDir, tempDir } from '../helpers/cli.js';
import { writeImageLayout } from '../helpers/images.js';

let temp: TempDir;
let repositories: CatalogRepositories;
let catalog: Catalog;

/** `mirrored` and `failing` are mirrored into a layout store, `kept` is not. */
beforeEach(() => {
  temp = tempDir('imagestreams-prepare-destinations-');
  writeImageLayout(join(temp.path, 'upstream'), { tags: { a: { platforms: ['linux/amd64'] } } });
  const text = `apiVersion: imagestreams/v1
kind: Catalog
local: { layout: store }
streams:
  mirrored:
    tags:
      a: { from: "oci:upstream:a", referencePolicy: Local }
  failing:
    tags:
      a: { from: "oci:upstream:a", referencePolicy: Local }
  kept:
    tags:
      a: { from: "oci:upstream:a" }
`;
  catalog = parseCatalog(text, join(temp.path, 'imagestreams.yaml'));
  repositories = catalogRepositories(catalog, { env: {}, homeDir: temp.path });
});

afterEach(() => repositories.close());

/** The local store, recording each stream its destinations are got ready for, and for what. */
function recordingStore(): { store: LocalStore; prepared: string[] } {
  const store = catalogLocalStore(catalog, repositories.openTag)!;
  const prepared: string[] = [];
  const open = store.open.bind(store);
  store.open = (stream) => {
    const destination = open(stream);
    destination.prepareFor ??= async (access: DestinationAccess) => {
      prepared.push(`${stream} ${access}`);
    };
    return destination;
  };
  return { store, prepared };
}

/** A store that applies what is recorded to its state, in memory. */
class MemoryStore {
  readonly state: State = { version: 1, lineage: 'l', serial: 0, streams: {} };
  readonly priorSerial = 0;

  async record(entry: JournalEntry): Promise<void> {
    if (entry.op === 'setTag') setRecordedTag(this.state, entry.stream, entry.tag, entry.value);
  }

  async commit(): Promise<boolean> {
    return true;
  }
}

describe('the local store is got ready before its destinations are asked', () => {
  it('a plan gets each destination a Local tag must be copied into ready for reading, once', async () => {
    const { store, prepared } = recordingStore();
    const options = { targets: [], reimport: [], refresh: true, concurrency: 2, openTag: repositories.openTag };
    await planCatalog(catalog, null, { ...options, local: store });
    expect(prepared.sort()).toEqual(['failing read', 'mirrored read']);
  });

  it('an apply gets ready for writing only the destinations of the Local tags it copies', async () => {
    const options = { targets: [], reimport: [], refresh: true, concurrency: 2, openTag: repositories.openTag };
    const plan = await planCatalog(catalog, null, options);
    const { store, prepared } = recordingStore();
    const failing = new Map([['failing:a', new RegistryError('NotFound', 'gone')]]);
    const result = await applyPlan(plan, {
      store: new MemoryStore() as unknown as StateStore,
      openRepository: (change) => repositories.openTag(catalog.tags.find((t) => t.address === change.address)!),
      local: store,
      concurrency: 2,
      failing,
    });
    expect(result.imported.sort()).toEqual(['kept:a', 'mirrored:a']);
    expect(prepared).toEqual(['mirrored write']);
  });
});

describe('prepareDestinations', () => {
  it('settles whatever a destination or the store throws: the copy meets the error again', async () => {
    const { store, prepared } = recordingStore();
    const open = store.open.bind(store);
    store.open = (stream) => {
      if (stream === 'unnamed') throw new RegistryError('InternalError', 'cannot name a destination');
      const destination = open(stream);
      if (stream === 'down') destination.prepareFor = () => Promise.reject(new Error('down'));
      return destination;
    };
    await expect(prepareDestinations(store, ['unnamed', 'down', 'mirrored', 'mirrored'], 'write')).resolves.toBe(
      undefined,
    );
    expect(prepared).toEqual(['mirrored write']);
  });
});
