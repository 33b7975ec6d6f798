import type { Catalog } from '../core/catalog.js';
import { blockCatalogValues, catalogFromValues, catalogText, type LoadCatalogOptions } from './catalog-from-text.js';
import { yamlCatalogValues } from './yaml-catalog-values.js';

/** Validates and resolves catalog text (or bytes) as if read from `path`, which anchors relative paths. */
export function parseCatalog(source: string | Uint8Array, path: string, options: LoadCatalogOptions = {}): Catalog {
  const displayPath = options.displayPath ?? path;
  const bytes = typeof source === 'string' ? Buffer.from(source, 'utf8') : source;
  const text = catalogText(bytes, displayPath);
  const values = blockCatalogValues(text, displayPath) ?? yamlCatalogValues(text, displayPath);
  return catalogFromValues(values, bytes, path, { ...options, displayPath });
}
