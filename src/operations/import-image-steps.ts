import type { LoadCatalogOptions } from '../config/index.js';
import type { Catalog, CatalogTag } from '../core/catalog.js';
import type { Plan } from '../core/plan-model.js';
import { planCatalog } from '../engine/plan.js';
import { planningState, StateStore } from '../state/index.js';
import type { CatalogFileText } from './catalog-file.js';
import type { CatalogRepositories } from './repositories.js';
import { withLockedState } from './state.js';

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

/** How the catalog file is validated: as the file it is, with the command line's overrides. */
export function catalogOptions(file: CatalogFileText): LoadCatalogOptions {
  return {
    displayPath: file.displayPath,
    ...(file.statePathOverride !== undefined && { statePathOverride: file.statePathOverride }),
    ...(file.allowedPaths !== undefined && { allowedPaths: file.allowedPaths }),
  };
}
