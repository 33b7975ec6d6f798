import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Catalog } from '../core/catalog.js';
import { CatalogError } from '../core/errors.js';
import { AllowedDirectories } from '../files/allowed-directories.js';
import { realPathOf } from '../files/real-path.js';
import { catalogSchemaErrors } from './catalog-schema.js';
import { fileProblem, ProblemList } from './problems.js';
import { type CatalogFile, resolveCatalog } from './resolve-catalog.js';
import { reportSchemaErrors } from './schema-messages.js';
import { parseYaml } from './yaml-parse.js';
import { toPlainValues } from './yaml-values.js';

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

/**
 * Reads, validates and resolves a catalog file. Throws CatalogError holding every problem found, each located at
 * `file:line:column`.
 */
export async function loadCatalog(path: string, options: LoadCatalogOptions = {}): Promise<Catalog> {
  const displayPath = options.displayPath ?? path;
  const bytes = await readCatalogFile(resolve(path), displayPath);
  return parseCatalog(bytes, path, { ...options, displayPath });
}

/** Validates and resolves catalog text (or bytes) as if read from `path`, which anchors relative paths. */
export function parseCatalog(source: string | Uint8Array, path: string, options: LoadCatalogOptions = {}): Catalog {
  const absolute = resolve(path);
  const displayPath = options.displayPath ?? path;
  const bytes = typeof source === 'string' ? Buffer.from(source, 'utf8') : source;
  if (bytes.byteLength > MAX_CATALOG_BYTES) throw tooLarge(displayPath, bytes.byteLength);
  const { value, problems } = plainValuesOf(decodeUtf8(bytes, displayPath), displayPath);
  reportSchemaErrors(catalogSchemaErrors(value), problems);
  const file: CatalogFile = {
    path: absolute,
    displayPath,
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

/**
 * The catalog's values, and the problems list that locates them in the text. The YAML document (some 40 MB with
 * its syntax tree at 10,000 tags) is left behind here: only the values and their offsets live on.
 */
function plainValuesOf(text: string, displayPath: string): { value: unknown; problems: ProblemList } {
  const yaml = parseYaml(text);
  const problems = new ProblemList(displayPath, yaml.lines);
  for (const problem of yaml.problems) problems.addAtOffset(problem.offset, problem.message);
  if (!yaml.doc || problems.size > 0) throw problems.toError();
  return { value: toPlainValues(yaml.doc.contents, text, problems), problems };
}

/** Where the state file `path` really is; as written when its links cannot be followed (reading it will say why). */
function stateFileOf(path: string): string {
  try {
    return realPathOf(path);
  } catch {
    return resolve(path);
  }
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
    if (stats.size > limit) throw tooLarge(displayPath, stats.size);
    // One byte more than allowed, in case the file grew since stat.
    const buffer = Buffer.alloc(stats.size + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > limit) throw tooLarge(displayPath, bytesRead);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function decodeUtf8(bytes: Uint8Array, displayPath: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw fileProblem(displayPath, 'the catalog is not UTF-8 text');
  }
}

function tooLarge(displayPath: string, size: number) {
  return fileProblem(displayPath, `the catalog is too large (${size} bytes; at most ${MAX_CATALOG_BYTES} are read)`);
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
