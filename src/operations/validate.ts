import { type LoadCatalogOptions, loadCatalog } from '../config/index.js';
import { allCatalogTags } from '../core/catalog.js';
import type { CatalogProblem } from '../core/errors.js';

/** What `validate` found in a valid catalog. */
export interface ValidateResult {
  streams: number;
  tags: number;
  /** Allowed but most likely mistakes (an unknown architecture), in file order. */
  warnings: CatalogProblem[];
}

/**
 * Schema and semantic checks of the catalog, offline: how many streams and tags it declares, and what it warns about.
 * Throws CatalogError (its `warnings` set too) when the catalog is invalid.
 */
export async function validateOperation(catalogPath: string, options: LoadCatalogOptions): Promise<ValidateResult> {
  const catalog = await loadCatalog(catalogPath, options);
  const tags = allCatalogTags(catalog);
  return {
    streams: new Set(tags.map((t) => t.stream)).size,
    tags: tags.length,
    warnings: catalog.warnings ?? [],
  };
}
