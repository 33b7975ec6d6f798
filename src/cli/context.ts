import { relative, resolve } from 'node:path';
import { loadCatalog } from '../config/index.js';
import type { Catalog } from '../core/catalog.js';
import { type CatalogRepositories, catalogRepositories } from '../engine/catalog-repositories.js';
import type { Io } from './output.js';
import { collectParseGarbage } from './parse-garbage.js';

export interface CatalogOptions {
  file?: string;
  state?: string;
  authfile?: string;
}

/** A loaded catalog with the repositories its tags import from. */
export interface CatalogContext extends CatalogRepositories {
  catalog: Catalog;
}

export async function openCatalog(options: CatalogOptions, io: Io): Promise<CatalogContext> {
  const path = resolve(io.cwd, options.file ?? 'imagestreams.yaml');
  const loadOptions: Parameters<typeof loadCatalog>[1] = { displayPath: relative(io.cwd, path) || path };
  if (options.state) loadOptions.statePathOverride = resolve(io.cwd, options.state);
  const catalog = await loadCatalog(path, loadOptions);
  collectParseGarbage(catalog.tags.length);
  const repositoriesOptions: Parameters<typeof catalogRepositories>[1] = { env: io.env };
  if (options.authfile) repositoriesOptions.authFile = resolve(io.cwd, options.authfile);
  return { catalog, ...catalogRepositories(catalog, repositoriesOptions) };
}
