import { isAbsolute, relative, resolve, sep } from 'node:path';
import { realPathOf } from './real-path.js';

/** Where a path leads and whether it may be used. */
export type PathCheck =
  | { allowed: true; real: string }
  | { allowed: false; real: string }
  /** The path cannot be followed (a loop of links, a directory that cannot be read): `error` is the system's. */
  | { allowed: false; real: undefined; error: unknown };

/** True when `path` is `dir` or lies under it; both absolute and normalised, links already followed. */
export function isWithin(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/**
 * A set of directories that paths must stay in, once every symbolic link is followed: a link inside one of them
 * that points elsewhere leads outside, and so does `..`.
 */
export class AllowedDirectories {
  private readonly roots: string[];

  constructor(dirs: readonly string[]) {
    this.roots = dirs.map(realOrAsWritten);
  }

  /** Where `path` (absolute) leads, and whether that is inside one of the directories. */
  check(path: string): PathCheck {
    let real: string;
    try {
      real = realPathOf(path);
    } catch (error) {
      return { allowed: false, real: undefined, error };
    }
    return { allowed: this.roots.some((root) => isWithin(real, root)), real };
  }
}

/** A directory that cannot be followed allows only what lies under it as written. */
function realOrAsWritten(dir: string): string {
  try {
    return realPathOf(dir);
  } catch {
    return resolve(dir);
  }
}
