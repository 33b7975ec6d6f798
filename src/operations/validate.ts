import { type LoadCatalogOptions, loadCatalog } from '../config/index.js';
import { allCatalogTags } from '../core/catalog.js';
import type { CatalogProblem } from '../core/errors.js';

/** What `validate` found in a valid catalog. */
export interface ValidateResult {
  streams: number;
  /** The tags the catalog writes out; the tags its streams discover are known only once listed (by `plan`). */
  tags: number;
  /** Streams with a `discover` block, which list their tags from a repository. */
  discoveringStreams: number;
  /** Allowed but most likely mistakes (an unknown architecture), in file order. */
  warnings: CatalogProblem[];
}

/**
 * Schema and semantic checks of the catalog, offline: how many streams and tags it declares (and how many streams
 * discover tags, which it does not list), and what it warns about.
 * Throws CatalogError (its `warnings` set too) when the catalog is invalid.
 */
export async function validateOperation(catalogPath: string, options: LoadCatalogOptions): Promise<ValidateResult> {
  const catalog = await loadCatalog(catalogPath, options);
  const tags = allCatalogTags(catalog);
  const discovering = (catalog.discoveries ?? []).map((d) => d.stream);
  return {
    streams: new Set([...tags.map((t) => t.stream), ...discovering]).size,
    tags: tags.length,
    discoveringStreams: discovering.length,
    warnings: catalog.warnings ?? [],
  };
}
