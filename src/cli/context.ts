import { resolve } from 'node:path';
import { loadCatalog } from '../config/index.js';
import type { Catalog } from '../core/catalog.js';
import { type CatalogRepositories, catalogRepositories } from '../engine/catalog-repositories.js';
import { type CatalogPathOptions, catalogFileOf, catalogLoadOptions } from './catalog-options.js';
import type { Io } from './output.js';
import { collectParseGarbage } from './parse-garbage.js';

export interface CatalogOptions extends CatalogPathOptions {
  authfile?: string;
}

/** A loaded catalog with the repositories its tags import from. */
export interface CatalogContext extends CatalogRepositories {
  catalog: Catalog;
}

export async function openCatalog(options: CatalogOptions, io: Io): Promise<CatalogContext> {
  const catalog = await loadCatalog(catalogFileOf(options, io).path, catalogLoadOptions(options, io));
  collectParseGarbage(catalog.tags.length);
  const repositoriesOptions: Parameters<typeof catalogRepositories>[1] = { env: io.env };
  if (options.authfile) repositoriesOptions.authFile = resolve(io.cwd, options.authfile);
  return { catalog, ...catalogRepositories(catalog, repositoriesOptions) };
}
