import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AllowedDirectories } from '../files/allowed-directories.js';
import { pathInCatalog } from './catalog-paths.js';
import { childPointer, subjectOf } from './json-pointer.js';
import type { ProblemList } from './problems.js';
import { type RawMap, stringAt } from './raw-values.js';

/** What resolving a catalog's values needs: where relative paths start, and where problems go. */
export interface ResolveContext {
  /** Absolute directory of the catalog file. */
  dir: string;
  /** Where the catalog's paths may lead: its directory, and those `--allow-path` adds. */
  allowed: AllowedDirectories;
  problems: ProblemList;
}

/**
 * `map[key]` as an absolute path (relative to the catalog's directory), which must lead inside an allowed directory
 * and be an existing file unless `mayBeMissing` (pull secrets are kept out of git: a missing one is reported when
 * credentials are looked up).
 */
export function existingFileAt(
  map: RawMap | undefined,
  key: string,
  pointer: string,
  context: ResolveContext,
  mayBeMissing = false,
): string | undefined {
  const written = stringAt(map, key);
  if (written === undefined || written === '') return undefined;
  const path = resolve(context.dir, written);
  const at = childPointer(pointer, key);
  if (pathInCatalog(path, at, context) === undefined) return undefined;
  const kind = fileKind(path);
  if (kind === 'missing' && !mayBeMissing)
    context.problems.add(at, `${subjectOf(at)} names a file that does not exist: ${path}`);
  else if (kind === 'other') context.problems.add(at, `${subjectOf(at)} must name a file, and ${path} is not one`);
  return path;
}

function fileKind(path: string): 'file' | 'missing' | 'other' {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats) return 'missing';
  return stats.isFile() ? 'file' : 'other';
}
