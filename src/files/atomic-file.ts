import { randomBytes } from 'node:crypto';
import {
  constants,
  copyFile,
  type FileHandle,
  link,
  mkdir,
  open,
  readdir,
  rename,
  stat,
  unlink,
} from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isErrorCode } from './errno.js';
import { realPathOf } from './real-path.js';

export { isErrorCode } from './errno.js';

export interface AtomicWriteOptions {
  /** Permission bits of the new file; by default those of the file being replaced, else 0644. */
  mode?: number;
  /** Keep the file being replaced as `<path>.backup`. */
  backup?: boolean;
  /**
   * Remove the temp files a killed writer of `path` left beside it. Only where no other process writes `path` at the
   * same time (the state, under its lock): another writer's temp file would be removed from under it.
   */
  sweepLeftovers?: boolean;
}

/** Pieces gathered before one write: few system calls, little memory. */
const WRITE_BUFFER_CHARS = 256 * 1024;

/**
 * Replaces `path` with `data` (text, or text in pieces) so that readers and crashes only ever see the old or the
 * new content: temp file in the same directory, fsync, rename over, fsync the directory. A symbolic link at `path`
 * is another name for the file it leads to: that file is replaced (in its own directory, its `.backup` beside it)
 * and the link is left as it is.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Iterable<string>,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const file = realPathOf(path);
  const dir = dirname(file);
  await mkdir(dir, { recursive: true });
  if (options.sweepLeftovers) await removeLeftovers(file);
  const previousMode = await existingMode(file);
  const mode = options.mode ?? previousMode ?? 0o644;
  const temp = tempPathFor(file);
  try {
    await writeAndSync(temp, data, mode);
    if (options.backup && previousMode !== undefined) await keepBackup(file);
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  await syncDirectory(dir);
}

/** `.<name>.<random>.tmp` beside `path`: where its next content is written before it is renamed into place. */
function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Temp files of `path` and of its `.backup` left by a writer that was killed before renaming them. */
async function removeLeftovers(path: string): Promise<void> {
  const name = basename(path);
  const isLeftover = (entry: string) =>
    entry.startsWith(`.${name}.`) && /^(backup\.)?[0-9a-f]{12}\.tmp$/.test(entry.slice(name.length + 2));
  const entries = await readdir(dirname(path)).catch(() => []);
  for (const entry of entries.filter(isLeftover)) await removeIfExists(join(dirname(path), entry));
}

async function writeAndSync(path: string, data: string | Iterable<string>, mode: number): Promise<void> {
  const handle = await open(path, 'wx', mode);
  try {
    if (typeof data === 'string') await handle.writeFile(data, 'utf8');
    else await writeChunks(handle, data);
    await handle.chmod(mode);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function writeChunks(handle: FileHandle, chunks: Iterable<string>): Promise<void> {
  let pending: string[] = [];
  let size = 0;
  for (const chunk of chunks) {
    pending.push(chunk);
    size += chunk.length;
    if (size < WRITE_BUFFER_CHARS) continue;
    await handle.writeFile(pending.join(''), 'utf8');
    pending = [];
    size = 0;
  }
  if (pending.length > 0) await handle.writeFile(pending.join(''), 'utf8');
}

/** `<path>.backup` becomes the current file, itself replaced atomically; a hard link when the file system allows it. */
async function keepBackup(path: string): Promise<void> {
  const backup = `${path}.backup`;
  const temp = tempPathFor(backup);
  try {
    await link(path, temp).catch(() => copyFile(path, temp, constants.COPYFILE_EXCL));
    await rename(temp, backup);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}

async function existingMode(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mode & 0o777;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Makes renames, creations and removals in `dir` durable; a no-op where directories cannot be opened (Windows). */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    if (!isErrorCode(error, 'EISDIR', 'EPERM', 'EINVAL', 'EBADF')) throw error;
  } finally {
    await handle?.close();
  }
}

/** Removes `path`; a file that is already gone is fine. */
export async function removeIfExists(path: string): Promise<void> {
  await unlink(path).catch((error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error)));
}

export function isNotFound(error: unknown): boolean {
  return isErrorCode(error, 'ENOENT');
}
