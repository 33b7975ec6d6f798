import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalTarget } from '../core/catalog.js';
import { describeSystemError } from '../files/errno.js';

/** Where `Local` tags are mirrored when the catalog has no `local` section: relative to the catalog's directory. */
export const DEFAULT_STORE_DIRS: readonly string[] = ['.imagestreams', 'store'];
export const DEFAULT_STORE = DEFAULT_STORE_DIRS.join('/');

/** A local store, or why `Local` tags cannot be mirrored. */
export type LocalResolution = { target: LocalTarget; problem?: undefined } | { target?: undefined; problem: string };

/**
 * The embedded store, an OCI layout directory per stream under `.imagestreams/store` in the catalog's directory
 * `dir`. It is reached without a symbolic link, wherever one would lead, so it stays inside the directory: a link
 * (or a file) at `.imagestreams` or `.imagestreams/store` makes it unusable. Missing directories are made on the
 * first mirror.
 */
export function defaultLocalStore(dir: string): LocalResolution {
  for (let depth = 1; depth <= DEFAULT_STORE_DIRS.length; depth++) {
    const name = DEFAULT_STORE_DIRS.slice(0, depth).join('/');
    const problem = entryProblem(join(dir, ...DEFAULT_STORE_DIRS.slice(0, depth)));
    if (problem === 'missing') break;
    if (problem) return { problem: unusable(`${name} ${problem}`) };
  }
  return { target: { layout: join(dir, ...DEFAULT_STORE_DIRS), noLinksBelow: dir } };
}

function entryProblem(path: string): string | undefined {
  try {
    const stats = lstatSync(path, { throwIfNoEntry: false });
    if (!stats) return 'missing';
    if (stats.isSymbolicLink()) return 'is a symbolic link, and the default store is never reached through one';
    return stats.isDirectory() ? undefined : 'is not a directory';
  } catch (error) {
    return `cannot be read (${describeSystemError(error)})`;
  }
}

function unusable(why: string): string {
  return `referencePolicy Local mirrors into ${DEFAULT_STORE} when the catalog has no "local" section, but ${why}: remove it, or name a store with local.layout or local.registry`;
}
