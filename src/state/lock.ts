import { randomUUID } from 'node:crypto';
import { closeSync, constants, fstatSync, fsyncSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { lstat, mkdir } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { durationText } from '../core/duration-text.js';
import { printable } from '../core/echoed-text.js';
import { LockError, type LockInfo, StateError } from '../core/errors.js';
import { isErrorCode, isNotFound, removeIfExists, syncDirectory } from '../files/atomic-file.js';
import { describeSystemError } from '../files/errno.js';
import { kindOf, NotRegularFileError, readRegularFile } from '../files/regular-file.js';

/** More than any lock this program writes: a larger file is read only this far (and is not a lock). */
const MAX_LOCK_BYTES = 64 * 1024;

/**
 * A lock found empty or gone when read was probably caught between another process's creating and writing it, or
 * its removing it: it is looked at again this many times, this far apart, before being reported as it is.
 */
const LOCK_GLIMPSES = 3;
const LOCK_GLIMPSE_MS = 20;

export interface LockOptions {
  /** What the holder is doing (`apply`, `import-image`, …), shown to whoever finds the state locked. */
  operation: string;
  /** How long to wait for a held lock to be released; 0 fails at once. */
  timeoutMs?: number;
  /** How often to retry while waiting. */
  pollIntervalMs?: number;
}

/** A held state lock. */
export interface Lock {
  readonly info: LockInfo;
  /** Removes the lock file if it is still ours; safe to call more than once. */
  release(): Promise<void>;
}

export function lockPath(statePath: string): string {
  return `${statePath}.lock`;
}

/**
 * Takes `<state>.lock`, created atomically so that exactly one process holds it. A held lock is retried
 * until `timeoutMs`, then reported with its Lock Info; one whose process is no longer running on this host is
 * reported at once, since waiting would not help. A lock is never taken over automatically: `forceUnlock` does that
 * on the user's word. Anything but a regular file at the lock's path (a symbolic link, a directory) is an error:
 * it is neither followed nor removed.
 */
export async function acquireLock(statePath: string, options: LockOptions): Promise<Lock> {
  const file = lockPath(statePath);
  const info: LockInfo = {
    id: randomUUID(),
    operation: options.operation,
    who: whoAmI(),
    pid: process.pid,
    created: new Date().toISOString(),
    path: resolve(statePath),
  };
  const timeoutMs = options.timeoutMs ?? 0;
  const deadline = Date.now() + timeoutMs;
  await makeDirectory(dirname(file));
  let glimpses = 0;
  for (;;) {
    const created = await tryCreateLock(file, info);
    if (created) return heldLock(statePath, info, created);
    const holder = await readLock(statePath);
    if (!holder && ++glimpses <= LOCK_GLIMPSES) {
      await sleep(LOCK_GLIMPSE_MS);
      continue;
    }
    glimpses = 0;
    const remaining = deadline - Date.now();
    if (remaining > 0 && !(holder && isStale(holder))) {
      await sleep(Math.min(options.pollIntervalMs ?? 200, remaining));
      continue;
    }
    throw lockedError(statePath, holder ?? undefined, remaining > 0 ? 0 : timeoutMs);
  }
}

/**
 * The lock on `statePath`, null when there is none; undefined when the file exists but cannot be parsed. A link or
 * anything else that is not a regular file at the lock's path is an error, never followed.
 */
export async function readLock(statePath: string): Promise<LockInfo | null | undefined> {
  const file = lockPath(statePath);
  let text: string;
  try {
    text = (await readRegularFile(file, { followLinks: false, maxBytes: MAX_LOCK_BYTES })).toString('utf8');
  } catch (error) {
    if (isNotFound(error)) return null;
    if (error instanceof NotRegularFileError) throw notALock(file, error.kind);
    if (isErrorCode(error, 'ELOOP')) throw notALock(file, 'a symbolic link');
    throw new StateError(`cannot read state lock ${file}: ${describeSystemError(error)}`, { cause: error });
  }
  return parseLockInfo(text);
}

/**
 * Why a check of `watch` does not wait for the lock: its holder is no longer running on this host, so it will never
 * release it.
 */
export function staleLockMessage(statePath: string, holder: LockInfo): string {
  return (
    `the state ${resolve(statePath)} is locked by a process that is no longer running on this host ` +
    `(${holder.operation || 'unknown operation'} by ${holder.who}, PID ${holder.pid}, since ${holder.created}), ` +
    'so waiting would not help; if no imagestreams process is using the state, remove the lock with: ' +
    `imagestreams force-unlock ${holder.id}`
  );
}

/** Removes the lock on `statePath` when its ID is `id` (as Terraform's force-unlock); returns what was removed. */
export async function forceUnlock(statePath: string, id: string): Promise<LockInfo> {
  const info = await readLock(statePath);
  if (info === null) throw new LockError(`cannot unlock the state: ${resolve(statePath)} is not locked`);
  if (info === undefined) {
    throw new LockError(
      `cannot unlock the state: the lock file ${lockPath(statePath)} cannot be read; if no imagestreams process is running, delete it`,
    );
  }
  if (info.id !== id) {
    throw new LockError(
      `cannot unlock the state: lock ID ${JSON.stringify(id)} does not match the current lock.\n${formatLockInfo(info)}`,
      info,
    );
  }
  await removeIfExists(lockPath(statePath));
  return info;
}

/** Terraform's `Lock Info:` block. */
export function formatLockInfo(info: LockInfo): string {
  const rows: [string, string][] = [
    ['ID', info.id],
    ...(info.path ? [['Path', info.path] as [string, string]] : []),
    ['Operation', info.operation],
    ['Who', info.who],
    ['PID', `${info.pid}${isStale(info) ? ' (not running on this host: the lock may be stale)' : ''}`],
    ['Created', info.created],
  ];
  return ['Lock Info:', ...rows.map(([label, value]) => `  ${`${label}:`.padEnd(11)}${value}`)].join('\n');
}

/** True when the lock was taken on this host by a process that no longer exists. */
export function isStale(info: LockInfo): boolean {
  if (info.who.slice(info.who.lastIndexOf('@') + 1) !== hostname()) return false;
  try {
    process.kill(info.pid, 0);
    return false;
  } catch (error) {
    return isErrorCode(error, 'ESRCH');
  }
}

/**
 * The lock file created, undefined when a lock file is already there. It is created and written synchronously, so
 * that a signal finds it either absent or complete and among those `releaseHeldLocksNow` removes.
 */
async function tryCreateLock(file: string, info: LockInfo): Promise<CreatedLock | undefined> {
  const text = Buffer.from(`${JSON.stringify(info, null, 2)}\n`, 'utf8');
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o644);
  } catch (error) {
    if (isErrorCode(error, 'EEXIST')) {
      await assertLockFile(file);
      return undefined;
    }
    throw new StateError(`cannot create state lock ${file}: ${describeSystemError(error)}`, { cause: error });
  }
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    removeLockNow(file);
    throw new StateError(`cannot write state lock ${file}: ${describeSystemError(error)}`, { cause: error });
  }
  closeSync(fd);
  const created = { file, text };
  createdLocks.add(created);
  await syncDirectory(dirname(file));
  return created;
}

function removeLockNow(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // gone already
  }
}

/** Throws unless what is at the lock's path (O_EXCL found something) is a regular file, or is gone already. */
async function assertLockFile(file: string): Promise<void> {
  let stats: Awaited<ReturnType<typeof lstat>>;
  try {
    stats = await lstat(file);
  } catch (error) {
    if (isNotFound(error)) return;
    throw new StateError(`cannot read state lock ${file}: ${describeSystemError(error)}`, { cause: error });
  }
  if (!stats.isFile()) throw notALock(file, kindOf(stats));
}

function notALock(file: string, kind: string): StateError {
  return new StateError(
    `the state lock ${file} is ${kind}, not a lock file: imagestreams creates its lock as a regular file, and ` +
      'neither follows nor removes anything else there. Remove it yourself if no imagestreams process is running, ' +
      'then try again',
  );
}

async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new StateError(`cannot create the directory of the state lock ${dir}: ${describeSystemError(error)}`, {
      cause: error,
    });
  }
}

/**
 * The lock files this process created and has not removed, with the text it writes in them: removed at once when
 * the process must end now. A file is one of them from its creation until its removal, so that no moment of taking
 * or releasing a lock leaves it behind.
 */
const createdLocks = new Set<CreatedLock>();

interface CreatedLock {
  file: string;
  text: Buffer;
}

function heldLock(statePath: string, info: LockInfo, created: CreatedLock): Lock {
  let released = false;
  return {
    info,
    async release() {
      if (released) return;
      released = true;
      try {
        const current = await readLock(statePath);
        if (current?.id === info.id) await removeIfExists(lockPath(statePath));
      } finally {
        createdLocks.delete(created);
      }
    },
  };
}

/** True while this process holds a state lock, from the creation of its file to its removal. */
export function holdsStateLock(): boolean {
  return createdLocks.size > 0;
}

/**
 * Removes, synchronously, every lock file this process created that is still its own (holds what it wrote): for a
 * process about to exit without finishing its work (what it recorded is in the state's journal). What is not a
 * regular file at a lock's path is neither followed nor removed. Errors are ignored: nothing is left to report them
 * to.
 */
export function releaseHeldLocksNow(): void {
  for (const created of createdLocks) {
    createdLocks.delete(created);
    try {
      const held = readLockBytes(created.file, created.text.length);
      if (held?.equals(created.text)) unlinkSync(created.file);
    } catch {
      // gone, or not ours to remove
    }
  }
}

/** The bytes of the regular file `file`, undefined when it is longer than `maxBytes`; a link is not followed. */
function readLockBytes(file: string, maxBytes: number): Buffer | undefined {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile() || stats.size > maxBytes) return undefined;
    const buffer = Buffer.alloc(maxBytes + 1);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    return length > maxBytes ? undefined : buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/** `waitedMs`: how long the lock was waited for, 0 when it was not (or not at all, its holder being gone). */
function lockedError(statePath: string, holder: LockInfo | undefined, waitedMs: number): LockError {
  const waited = waitedMs > 0 ? ` (waited ${durationText(waitedMs, { largestUnit: 's' })} for it to be released)` : '';
  const head = `cannot lock the state: ${resolve(statePath)} is locked by another process${waited}.`;
  const help =
    'imagestreams locks the state so that two processes cannot write it at the same time. Wait for the operation\n' +
    'above to finish, or use --lock-timeout to wait for it.';
  if (!holder) {
    return new LockError(
      `${head}\nThe lock file ${lockPath(statePath)} cannot be read (it may be being written).\n\n${help}`,
    );
  }
  const unlock =
    'If no process holds the lock any more (after a crash, for example), remove it with:\n' +
    `  imagestreams force-unlock ${holder.id}`;
  return new LockError(`${head}\n${formatLockInfo(holder)}\n\n${help}\n${unlock}`, holder);
}

function parseLockInfo(text: string): LockInfo | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockInfo> | null;
    if (!value || typeof value.id !== 'string' || typeof value.who !== 'string') return undefined;
    return {
      id: printable(value.id),
      operation: printable(String(value.operation ?? '')),
      who: printable(value.who),
      pid: Number(value.pid),
      created: printable(String(value.created ?? '')),
      ...(typeof value.path === 'string' ? { path: printable(value.path) } : {}),
    };
  } catch {
    return undefined;
  }
}

function whoAmI(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.USERNAME ?? String(process.getuid?.() ?? 'unknown');
  }
  return `${user}@${hostname()}`;
}
