import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import type { Catalog } from '../core/catalog.js';
import { AllowedDirectories } from '../files/allowed-directories.js';
import { realPathOf } from '../files/real-path.js';
import { readBlockYaml } from './block-yaml.js';
import { catalogSchemaErrors } from './catalog-schema.js';
import { fileProblem, ProblemList } from './problems.js';
import { type CatalogFile, resolveCatalog } from './resolve-catalog.js';
import { reportSchemaErrors } from './schema-messages.js';

/** Largest catalog file read: thousands of tags fit in a small fraction of it. */
export const MAX_CATALOG_BYTES = 4 * 1024 * 1024;

export interface LoadCatalogOptions {
  /** The path as the user gave it, used in messages; default: the path as passed. */
  displayPath?: string;
  /** State file to use instead of the catalog's `state` (for `--state`); it may be anywhere. */
  statePathOverride?: string;
  /**
   * Directories outside the catalog's own that its paths may lead into (`--allow-path`). Only the command line
   * gives them: a catalog cannot allow itself more.
   */
  allowedPaths?: readonly string[];
}

/** The catalog's plain values, and the problems list that locates them in its text. */
export interface CatalogValues {
  value: unknown;
  problems: ProblemList;
}

/** The catalog's text: its bytes within the size limit, as UTF-8. */
export function catalogText(bytes: Uint8Array, displayPath: string): string {
  if (bytes.byteLength > MAX_CATALOG_BYTES) throw catalogTooLarge(displayPath, bytes.byteLength);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw fileProblem(displayPath, 'the catalog is not UTF-8 text');
  }
}

/** The values of a catalog written in plain block YAML; undefined when the full YAML path must read the text. */
export function blockCatalogValues(text: string, displayPath: string): CatalogValues | undefined {
  const block = readBlockYaml(text);
  return block && { value: block.value, problems: new ProblemList(displayPath, block.lines, block.source) };
}

/** Validates and resolves the values read from the catalog `bytes` at `path`. */
export function catalogFromValues(
  { value, problems }: CatalogValues,
  bytes: Uint8Array,
  path: string,
  options: LoadCatalogOptions,
): Catalog {
  reportSchemaErrors(catalogSchemaErrors(value), problems);
  const absolute = resolve(path);
  const file: CatalogFile = {
    path: absolute,
    displayPath: options.displayPath ?? path,
    sha256: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
  };
  if (options.statePathOverride !== undefined) file.statePathOverride = stateFileOf(options.statePathOverride);
  const dir = dirname(absolute);
  const allowed = new AllowedDirectories([dir, ...(options.allowedPaths ?? [])]);
  const catalog = resolveCatalog(value, file, { dir, allowed, problems });
  problems.throwIfAny();
  const warnings = problems.warnings();
  if (warnings.length > 0) catalog.warnings = warnings;
  return catalog;
}

export function catalogTooLarge(displayPath: string, size: number) {
  return fileProblem(displayPath, `the catalog is too large (${size} bytes; at most ${MAX_CATALOG_BYTES} are read)`);
}

/** Where the state file `path` really is; as written when its links cannot be followed (reading it will say why). */
function stateFileOf(path: string): string {
  try {
    return realPathOf(path);
  } catch {
    return resolve(path);
  }
}
