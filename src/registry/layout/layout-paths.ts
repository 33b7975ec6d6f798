import { constants, type Stats } from 'node:fs';
import { type FileHandle, lstat, mkdir, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RegistryError } from '../../core/errors.js';

/** What is wrong with an entry of a layout: it is a symbolic link, or not the kind of entry expected there. */
export type PathProblem = 'link' | 'not a directory' | 'not a regular file';

/**
 * How a layout reports an entry it refuses. `path` is relative to the directory the paths are checked from (a store's
 * root: `app/blobs/sha256`); `name` is what the caller calls the entry (`blob sha256:…`, `index.json`).
 */
export type Refusal = (problem: PathProblem, path: string, name: string) => RegistryError;

/**
 * Entries of an OCI layout, reached without following a symbolic link anywhere below `root`: every directory on the
 * way (`prefix`, then the entry's own) is checked with lstat, or created one at a time when asked to, and files are
 * opened with O_NOFOLLOW. A link, or an entry of the wrong kind, is refused with an error naming it, so nothing is
 * read, written or deleted through it. `root` itself is taken as given. The checks guard against links a layout
 * or a store holds (from a pull request, say), not against another process swapping one in between check and use.
 */
export class NoFollowPaths {
  constructor(
    readonly root: string,
    private readonly prefix: readonly string[],
    private readonly refuse: Refusal,
  ) {}

  /** The absolute path of an entry. */
  path(parts: readonly string[]): string {
    return join(this.root, ...this.prefix, ...parts);
  }

  /** The entry's path relative to `root`, as messages name it. */
  relative(parts: readonly string[]): string {
    return [...this.prefix, ...parts].join('/');
  }

  /**
   * Checks the directories `parts` names (and those of the prefix) down from `root`: each is a real directory, or
   * missing (then false, unless `create` makes it). Throws on a link or on anything else than a directory.
   */
  async directories(parts: readonly string[], create = false): Promise<boolean> {
    const all = [...this.prefix, ...parts];
    for (let depth = 1; depth <= all.length; depth++) {
      const path = join(this.root, ...all.slice(0, depth));
      let stats = await lstatIfAny(path);
      if (!stats && create) {
        await mkdir(path).catch(existsAlready);
        stats = await lstatIfAny(path);
      }
      const name = all.slice(0, depth).join('/');
      if (!stats) return false;
      if (stats.isSymbolicLink()) throw this.refuse('link', name, name);
      if (!stats.isDirectory()) throw this.refuse('not a directory', name, name);
    }
    return true;
  }

  /** The entry's own lstat (never its target's); undefined when it or a directory on the way is missing. */
  async lstat(parts: readonly string[], name = this.relative(parts)): Promise<Stats | undefined> {
    if (!(await this.directories(parts.slice(0, -1)))) return undefined;
    const stats = await lstatIfAny(this.path(parts));
    if (stats?.isSymbolicLink()) throw this.refuse('link', this.relative(parts), name);
    return stats;
  }

  /** A regular file's lstat; undefined when missing; anything else than a regular file is refused. */
  async regularFile(parts: readonly string[], name = this.relative(parts)): Promise<Stats | undefined> {
    const stats = await this.lstat(parts, name);
    if (stats && !stats.isFile()) throw this.refuse('not a regular file', this.relative(parts), name);
    return stats;
  }

  /**
   * Opens a file with O_NOFOLLOW (and `flags`) once the directories on the way are checked; errors of the open
   * itself (ENOENT, EEXIST, …) are thrown as they are, but a link is refused.
   */
  async open(parts: readonly string[], flags: number, mode?: number, name = this.relative(parts)): Promise<FileHandle> {
    await this.directories(parts.slice(0, -1));
    try {
      return await open(this.path(parts), flags | constants.O_NOFOLLOW, mode);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw this.refuse('link', this.relative(parts), name);
      throw error;
    }
  }

  /** The names in a directory; none when it is missing. */
  async list(parts: readonly string[]): Promise<string[]> {
    if (!(await this.directories(parts))) return [];
    try {
      return await readdir(this.path(parts));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }
}

async function lstatIfAny(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR') return undefined;
    throw error;
  }
}

function existsAlready(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
}
