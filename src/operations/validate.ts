import { type LoadCatalogOptions, loadCatalog } from '../config/index.js';
import { allCatalogTags } from '../core/catalog.js';

/** Schema and semantic checks of the catalog, offline: how many streams and tags it declares. */
export async function validateOperation(
  catalogPath: string,
  options: LoadCatalogOptions,
): Promise<{ streams: number; tags: number }> {
  const tags = allCatalogTags(await loadCatalog(catalogPath, options));
  return { streams: new Set(tags.map((t) => t.stream)).size, tags: tags.length };
}
