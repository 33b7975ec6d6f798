import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';

/** What was found where a regular file was expected. */
export class NotRegularFileError extends Error {
  readonly code = 'ENOTREG';
  constructor(
    readonly path: string,
    /** `a directory`, `a FIFO`… */
    readonly kind: string,
  ) {
    super(`${path} is ${kind}, not a regular file`);
  }
}

export interface ReadRegularFileOptions {
  /** false: a symbolic link at `path` fails with ELOOP instead of being followed. */
  followLinks?: boolean;
  /** Read at most this many bytes. */
  maxBytes?: number;
}

/**
 * The bytes of the regular file at `path`. Anything else — a directory, a FIFO (which would block a plain read
 * forever), a device, a socket — throws NotRegularFileError without being read.
 */
export async function readRegularFile(path: string, options: ReadRegularFileOptions = {}): Promise<Buffer> {
  const { handle, size } = await openRegularFile(path, options);
  try {
    if (options.maxBytes === undefined) return await handle.readFile();
    const buffer = Buffer.alloc(Math.min(size, options.maxBytes));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The regular file at `path`, opened for reading, and its size; the caller closes it. Else as readRegularFile. */
export async function openRegularFile(
  path: string,
  options: Pick<ReadRegularFileOptions, 'followLinks'> = {},
): Promise<{ handle: FileHandle; size: number }> {
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | (options.followLinks === false ? constants.O_NOFOLLOW : 0);
  const handle = await open(path, flags);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new NotRegularFileError(path, kindOf(stats));
    return { handle, size: stats.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** What a file that is not a regular one is, in words. */
export function kindOf(stats: {
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'a special file';
}
