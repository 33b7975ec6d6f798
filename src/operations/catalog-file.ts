import { dirname } from 'node:path';
import type { CatalogText } from '../config/catalog-edit.js';
import { readCatalogText } from '../config/catalog-file-text.js';
import { newCatalogText, schemaLocationFor } from '../config/catalog-modeline.js';
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

/**
 * The catalog's text; a missing file is an error unless `missing` is 'empty': it reads as a new catalog with no
 * streams, whose first line names the schema.
 */
export async function readCatalogFile(ref: CatalogFileRef, missing: 'error' | 'empty'): Promise<CatalogFileText> {
  const text = await readCatalogText(ref.path, ref.displayPath);
  if (text === undefined && missing === 'error') {
    throw fileProblem(ref.displayPath, 'cannot read the catalog: no such file');
  }
  return { ...ref, text: text ?? newCatalogText(schemaLocationFor(dirname(ref.path))), exists: text !== undefined };
}
