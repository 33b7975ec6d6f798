import type { AllowedDirectories } from '../files/allowed-directories.js';
import { describeSystemError } from '../files/errno.js';
import { subjectOf } from './json-pointer.js';
import type { ProblemList } from './problems.js';

/** What checking a catalog path needs: the catalog's directory, where paths may lead, and where problems go. */
export interface CatalogPathContext {
  dir: string;
  allowed: AllowedDirectories;
  problems: ProblemList;
}

const ALLOW_PATH_HINT =
  'a catalog may only name paths inside its own directory, unless the command line allows another with --allow-path DIR';

/**
 * Where `path` (absolute, from the catalog value at `pointer`) really leads, when it may be used: inside the
 * catalog's directory, or a directory the command line allows, once every symbolic link is followed. Otherwise a
 * problem is reported and undefined returned; nothing outside is ever looked at beyond following the links.
 */
export function pathInCatalog(
  path: string,
  pointer: string,
  context: CatalogPathContext,
  subject = subjectOf(pointer),
): string | undefined {
  const check = context.allowed.check(path);
  if (check.allowed) return check.real;
  if (check.real === undefined) {
    context.problems.add(pointer, `${subject}: ${path} cannot be followed (${describeSystemError(check.error)})`);
  } else {
    const where = check.real === path ? 'is' : `leads through a symbolic link to ${check.real},`;
    context.problems.add(
      pointer,
      `${subject}: ${path} ${where} outside the catalog's directory ${context.dir}; ${ALLOW_PATH_HINT}`,
    );
  }
  return undefined;
}
