import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { isErrorCode } from './errno.js';

/** As many links as Linux follows in one path before giving up with ELOOP. */
const MAX_LINKS = 40;

/**
 * Where `path` really is: every symbolic link followed, as the system follows them when the file is opened or
 * created. Unlike realpath it also answers for what does not exist yet: a missing file is placed in the real
 * place of its nearest existing ancestor, and a link whose target is missing leads to where the target would be.
 * Throws the system's error (ELOOP, EACCES…) when the path cannot be followed.
 */
export function realPathOf(path: string): string {
  return follow(resolve(path), 0);
}

function follow(path: string, links: number): string {
  try {
    return realpathSync(path);
  } catch (error) {
    if (!isErrorCode(error, 'ENOENT', 'ENOTDIR')) throw error;
  }
  if (isSymbolicLink(path)) {
    if (links >= MAX_LINKS) throw Object.assign(new Error(`too many symbolic links in ${path}`), { code: 'ELOOP' });
    return follow(resolve(dirname(path), readlinkSync(path)), links + 1);
  }
  const parent = dirname(path);
  return parent === path ? path : join(follow(parent, links), basename(path));
}

function isSymbolicLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch (error) {
    if (isErrorCode(error, 'ENOENT', 'ENOTDIR')) return false;
    throw error;
  }
}
