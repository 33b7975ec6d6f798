import { createHash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import { join, relative } from 'node:path';

const HASHED_SIZE_LIMIT = 64 << 20;

/**
 * Every entry under `dir`: a hash of each regular file's bytes, the target of each symbolic link, the kind of
 * anything else (never read: a hostile layout may hold FIFOs or links to devices); size and modification time of
 * files too large to hash quickly. Compared before and after a command to prove that it wrote nothing.
 */
export function treeSnapshot(dir: string): Map<string, string> {
  const entries = new Map<string, string>();
  const visit = (path: string) => {
    const stat = lstatSync(path);
    const name = relative(dir, path) || '.';
    if (stat.isDirectory()) {
      entries.set(name, 'directory');
      for (const child of readdirSync(path)) visit(join(path, child));
    } else if (stat.isSymbolicLink()) entries.set(name, `link to ${readlinkSync(path)}`);
    else if (stat.size > HASHED_SIZE_LIMIT) entries.set(name, `${stat.size} bytes modified at ${stat.mtimeMs}`);
    else if (stat.isFile()) entries.set(name, fileHash(path));
    else entries.set(name, 'special file');
  };
  visit(dir);
  return entries;
}

/** sha256 of a file read 1 MiB at a time: hostile files may be large. */
function fileHash(path: string): string {
  const hash = createHash('sha256');
  const buffer = Buffer.alloc(1 << 20);
  const fd = openSync(path, 'r');
  try {
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) hash.update(buffer.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
