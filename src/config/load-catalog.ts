import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Catalog } from '../core/catalog.js';
import { CatalogError } from '../core/errors.js';
import {
  blockCatalogValues,
  type CatalogValues,
  catalogFromValues,
  catalogText,
  catalogTooLarge,
  type LoadCatalogOptions,
  MAX_CATALOG_BYTES,
} from './catalog-from-text.js';
import { fileProblem } from './problems.js';

export { type LoadCatalogOptions, MAX_CATALOG_BYTES };

/**
 * Reads, validates and resolves a catalog file. Throws CatalogError holding every problem found, each located at
 * `file:line:column`.
 */
export async function loadCatalog(path: string, options: LoadCatalogOptions = {}): Promise<Catalog> {
  const displayPath = options.displayPath ?? path;
  const bytes = await readCatalogFile(resolve(path), displayPath);
  const text = catalogText(bytes, displayPath);
  const values = blockCatalogValues(text, displayPath) ?? (await yamlValues(text, displayPath));
  return catalogFromValues(values, bytes, path, { ...options, displayPath });
}

/** The YAML library is loaded only for a catalog that is not plain block YAML. */
async function yamlValues(text: string, displayPath: string): Promise<CatalogValues> {
  const { yamlCatalogValues } = await import('./yaml-catalog-values.js');
  return yamlCatalogValues(text, displayPath);
}

async function readCatalogFile(path: string, displayPath: string): Promise<Uint8Array> {
  try {
    return await readAtMost(path, MAX_CATALOG_BYTES, displayPath);
  } catch (error) {
    if (error instanceof CatalogError || !isErrnoException(error)) throw error;
    throw fileProblem(displayPath, `cannot read the catalog: ${describeErrno(error)}`);
  }
}

async function readAtMost(path: string, limit: number, displayPath: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw fileProblem(displayPath, 'cannot read the catalog: not a file');
    if (stats.size > limit) throw catalogTooLarge(displayPath, stats.size);
    // Read to the end, which an edit being written may have moved since stat, or to one byte past the limit.
    let buffer = Buffer.alloc(stats.size + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) buffer = Buffer.concat([buffer], Math.min(limit + 1, 2 * buffer.length));
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) return buffer.subarray(0, length);
      length += bytesRead;
      if (length > limit) throw catalogTooLarge(displayPath, length);
    }
  } finally {
    await handle.close();
  }
}

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}

function describeErrno(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'not a file';
    default:
      return error.message;
  }
}
