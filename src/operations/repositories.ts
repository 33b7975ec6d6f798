import type { Catalog } from '../core/catalog.js';
import {
  type CatalogRepositories,
  type CatalogRepositoriesOptions,
  catalogRepositories,
} from '../engine/catalog-repositories.js';

export type { CatalogRepositories, CatalogRepositoriesOptions };

/** Runs `work` with the repositories the catalog's tags import from, closed however `work` ends. */
export async function withRepositories<T>(
  catalog: Catalog,
  options: CatalogRepositoriesOptions,
  work: (repositories: CatalogRepositories) => Promise<T>,
): Promise<T> {
  const repositories = catalogRepositories(catalog, options);
  try {
    return await work(repositories);
  } finally {
    await repositories.close();
  }
}
