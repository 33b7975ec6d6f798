import type { Catalog } from '../core/catalog.js';
import {
  type CatalogRepositories,
  type CatalogRepositoriesOptions,
  catalogRepositories,
} from '../engine/catalog-repositories.js';
import type { Interruption } from '../engine/interruption.js';

export type { CatalogRepositories, CatalogRepositoriesOptions };

/**
 * Runs `work` with the repositories the catalog's tags import from, closed however `work` ends; after an interruption
 * abandoned imports, their connections are closed without waiting for the requests they still carry.
 */
export async function withRepositories<T>(
  catalog: Catalog,
  options: CatalogRepositoriesOptions & { interruption?: Interruption | undefined },
  work: (repositories: CatalogRepositories) => Promise<T>,
): Promise<T> {
  const repositories = catalogRepositories(catalog, options);
  try {
    return await work(repositories);
  } finally {
    const closing = repositories.close();
    if (options.interruption?.abandon.aborted) closing.catch(() => {});
    else await closing;
  }
}
