import type { LoadCatalogOptions } from '../config/index.js';
import type { Catalog, CatalogTag } from '../core/catalog.js';
import { InterruptedError } from '../core/errors.js';
import type { Plan } from '../core/plan-model.js';
import type { Interruption } from '../engine/interruption.js';
import { catalogLocalStore } from '../engine/local-store.js';
import { planCatalog } from '../engine/plan.js';
import { planningState, StateStore } from '../state/index.js';
import type { CatalogFileText } from './catalog-file.js';
import type { ImportProgress } from './progress.js';
import type { CatalogRepositories } from './repositories.js';
import { withLockedState } from './state.js';
import { type ImportFailure, writePlannedTag } from './tag-import.js';

/** Under the state lock: `first` (the catalog edit), then `work` with the state opened after it. */
export function withLockedStateAfter<T>(
  statePath: string,
  lockTimeoutMs: number,
  first: () => Promise<void>,
  work: (store: StateStore) => Promise<T>,
): Promise<T> {
  const lock = { operation: 'import-image', timeoutMs: lockTimeoutMs };
  return withLockedState(statePath, lock, async () => {
    await first();
    return work(await StateStore.open(statePath));
  });
}

/** A plan importing `tags` again, whatever the state says of them. */
export function planTags(
  catalog: Catalog,
  tags: readonly CatalogTag[],
  store: StateStore,
  repositories: CatalogRepositories,
  concurrency = 1,
): Promise<Plan> {
  const addresses = tags.map((t) => t.address);
  return planCatalog(catalog, planningState(store), {
    targets: addresses,
    reimport: addresses,
    refresh: true,
    concurrency,
    openTag: repositories.openTag,
  });
}

/** How `importTags` reports and can be stopped. */
export interface ImportTagsOptions {
  progress?: ImportProgress | undefined;
  interruption?: Interruption | undefined;
}

/**
 * Plans `tags` again and imports each into the state (whose lock the caller holds), one after the other; returns the
 * failures by tag address. Interrupted, it fails with an InterruptedError counting the tags of the whole run.
 */
export async function importTags(
  catalog: Catalog,
  tags: readonly CatalogTag[],
  store: StateStore,
  repositories: CatalogRepositories,
  { progress, interruption }: ImportTagsOptions,
): Promise<Map<string, ImportFailure>> {
  const plan = await planTags(catalog, tags, store, repositories, Math.min(4, tags.length));
  const local = catalogLocalStore(catalog, repositories.openTag);
  const options = {
    openTag: repositories.openTag,
    ...(local && { local }),
    now: () => new Date(),
    ...(progress && { progress }),
    ...(interruption && { interruption }),
  };
  const failures = new Map<string, ImportFailure>();
  const done: string[] = [];
  const importEach = async () => {
    for (const tag of tags) {
      if (interruption?.stop.aborted) throw leftOf(done, tags);
      const failure = await writePlannedTag(plan, tag, store, options).catch((error: unknown) => {
        throw error instanceof InterruptedError ? leftOf([...done, ...error.done], tags) : error;
      });
      if (failure) failures.set(tag.address, failure);
      done.push(tag.address);
    }
  };
  await (interruption ? interruption.whileImporting(importEach) : importEach());
  return failures;
}

function leftOf(done: readonly string[], tags: readonly CatalogTag[]): InterruptedError {
  const recorded = new Set(done);
  return new InterruptedError(
    done,
    tags.map((t) => t.address).filter((address) => !recorded.has(address)),
  );
}

/** How the catalog file is validated: as the file it is, with the command line's overrides. */
export function catalogOptions(file: CatalogFileText): LoadCatalogOptions {
  return {
    displayPath: file.displayPath,
    ...(file.statePathOverride !== undefined && { statePathOverride: file.statePathOverride }),
    ...(file.allowedPaths !== undefined && { allowedPaths: file.allowedPaths }),
  };
}
