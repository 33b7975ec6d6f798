import type { CatalogText } from '../config/catalog-edit.js';
import { EMPTY_CATALOG_TEXT, readCatalogText } from '../config/catalog-file-text.js';
import { fileProblem } from '../config/problems.js';

/** A catalog file an operation edits, and how its paths are checked. */
export interface CatalogFileRef {
  path: string;
  /** The path in messages. */
  displayPath: string;
  allowedPaths?: readonly string[];
  statePathOverride?: string;
}

export interface CatalogFileText extends CatalogText {
  exists: boolean;
}

/** The catalog's text; a missing file is an error unless `missing` is 'empty' (it reads as an empty catalog). */
export async function readCatalogFile(ref: CatalogFileRef, missing: 'error' | 'empty'): Promise<CatalogFileText> {
  const text = await readCatalogText(ref.path, ref.displayPath);
  if (text === undefined && missing === 'error') {
    throw fileProblem(ref.displayPath, 'cannot read the catalog: no such file');
  }
  return { ...ref, text: text ?? EMPTY_CATALOG_TEXT, exists: text !== undefined };
}
