import type { Catalog } from '../core/catalog.js';
import {
  type CatalogRepositories,
  type CatalogRepositoriesOptions,
  catalogRepositories,
} from '../engine/catalog-repositories.js';

export type { CatalogRepositories, CatalogRepositoriesOptions };

/**
 * Runs `work` with the repositories the catalog's tags import from, closed however `work` ends; after imports were
 * abandoned (`abandon`), their connections are closed without waiting for the requests they still carry.
 */
export async function withRepositories<T>(
  catalog: Catalog,
  options: CatalogRepositoriesOptions & { abandon?: AbortSignal | undefined },
  work: (repositories: CatalogRepositories) => Promise<T>,
): Promise<T> {
  const repositories = catalogRepositories(catalog, options);
  try {
    return await work(repositories);
  } finally {
    const closing = repositories.close();
    if (options.abandon?.aborted) closing.catch(() => {});
    else await closing;
  }
}
