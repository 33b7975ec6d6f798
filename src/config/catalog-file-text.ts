import { readFile, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../files/atomic-file.js';
import { catalogTooLarge, MAX_CATALOG_BYTES } from './catalog-from-text.js';
import { fileProblem } from './problems.js';

/** The catalog file's text; undefined when there is no such file. Throws CatalogError when it cannot be read. */
export async function readCatalogText(path: string, displayPath: string): Promise<string | undefined> {
  try {
    const stats = await stat(path);
    if (!stats.isFile()) throw fileProblem(displayPath, 'cannot read the catalog: not a file');
    if (stats.size > MAX_CATALOG_BYTES) throw catalogTooLarge(displayPath, stats.size);
    return decode(await readFile(path), displayPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === undefined) throw error;
    throw fileProblem(displayPath, `cannot read the catalog: ${(error as Error).message}`);
  }
}

/** UTF-8 text with a byte order mark kept, so that writing the text back changes only what was edited. */
function decode(bytes: Uint8Array, displayPath: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw fileProblem(displayPath, 'the catalog is not UTF-8 text');
  }
}

/** Replaces the catalog file atomically, keeping its permissions: readers see the old text or the new, never part. */
export async function writeCatalogText(path: string, text: string): Promise<void> {
  await writeFileAtomic(path, text);
}
