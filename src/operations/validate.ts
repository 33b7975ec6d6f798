import { type LoadCatalogOptions, loadCatalog } from '../config/index.js';

/** Schema and semantic checks of the catalog, offline: how many streams and tags it declares. */
export async function validateOperation(
  catalogPath: string,
  options: LoadCatalogOptions,
): Promise<{ streams: number; tags: number }> {
  const catalog = await loadCatalog(catalogPath, options);
  return { streams: new Set(catalog.tags.map((t) => t.stream)).size, tags: catalog.tags.length };
}
