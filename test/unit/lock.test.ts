import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LockError, type LockInfo, StateError } from '../../src/core/errors.js';
import {
  acquireLock,
  forceUnlock,
  formatLockInfo,
  holdsStateLock,
  readLock,
  releaseHeldLocksNow,
} from '../../src/state/index.js';

let dir: string;
let statePath: string;
let lockFile: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'state-lock-'));
  statePath = join(dir, 'imagestreams.state.json');
  lockFile = `${statePath}.lock`;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function lockError(promise: Promise<unknown>): Promise<LockError> {
  return promise.then(
    () => expect.fail('expected a LockError'),
    (error: unknown) => {
      expect(error).toBeInstanceOf(LockError);
      return error as LockError;
    },
  );
}

/** A pid that belonged to a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

describe('acquireLock', () => {
  it('writes <state>.lock with who holds it and why', async () => {
    const lock = await acquireLock(statePath, { operation: 'apply' });
    const info = JSON.parse(await readFile(lockFile, 'utf8')) as LockInfo;
    expect(info).toEqual(lock.info);
    expect(info).toMatchObject({ operation: 'apply', pid: process.pid, path: statePath });
    expect(info.who).toMatch(new RegExp(`^.+@${hostname()}$`));
    expect(Date.parse(info.created)).not.toBeNaN();
    expect(info.id).toMatch(/^[0-9a-f-]{36}$/);
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('fails at once with the Lock Info when the lock is held and the timeout is 0', async () => {
    const held = await acquireLock(statePath, { operation: 'apply' });
    const error = await lockError(acquireLock(statePath, { operation: 'plan', timeoutMs: 0 }));
    expect(error.info).toEqual(held.info);
    expect(error.message).toBe(
      [
        `cannot lock the state: ${statePath} is locked by another process.`,
        formatLockInfo(held.info),
        '',
        'imagestreams locks the state so that two processes cannot write it at the same time. Wait for the operation',
        'above to finish, or use --lock-timeout to wait for it.',
        'If no process holds the lock any more (after a crash, for example), remove it with:',
        `  imagestreams force-unlock ${held.info.id}`,
      ].join('\n'),
    );
    await held.release();
  });

  it('waits up to the timeout for the holder to release it', async () => {
    const held = await acquireLock(statePath, { operation: 'apply' });
    setTimeout(() => void held.release(), 100);
    const waiting = await acquireLock(statePath, { operation: 'apply', timeoutMs: 5000, pollIntervalMs: 20 });
    expect((await readLock(statePath))?.id).toBe(waiting.info.id);
    await waiting.release();
  });

  it('gives up after the timeout, saying how long it waited', async () => {
    const held = await acquireLock(statePath, { operation: 'apply' });
    const started = Date.now();
    const error = await lockError(acquireLock(statePath, { operation: 'apply', timeoutMs: 300, pollIntervalMs: 50 }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(error.message).toContain('is locked by another process (waited 300ms for it to be released).');
    expect((await readLock(statePath))?.id).toBe(held.info.id);
    await held.release();
  });

  it('reports a lock whose process is gone as possibly stale, and leaves it in place', async () => {
    const stale: LockInfo = {
      id: 'd6f4c1d2-0000-4000-8000-000000000000',
      operation: 'apply',
      who: `someone@${hostname()}`,
      pid: deadPid(),
      created: '2026-01-01T00:00:00.000Z',
      path: statePath,
    };
    await writeFile(lockFile, JSON.stringify(stale));
    const error = await lockError(acquireLock(statePath, { operation: 'apply' }));
    expect(error.message).toContain(`  PID:       ${stale.pid} (not running on this host: the lock may be stale)\n`);
    expect(await readLock(statePath)).toEqual(stale);
  });

  it('does not wait for a lock whose process is gone: waiting would not help', async () => {
    const stale: LockInfo = {
      id: 'd6f4c1d2-0000-4000-8000-000000000001',
      operation: 'apply',
      who: `someone@${hostname()}`,
      pid: deadPid(),
      created: '2026-01-01T00:00:00.000Z',
    };
    await writeFile(lockFile, JSON.stringify(stale));
    const error = await lockError(acquireLock(statePath, { operation: 'apply', timeoutMs: 3_600_000 }));
    expect(error.message).toContain(`cannot lock the state: ${statePath} is locked by another process.\n`);
    expect(error.message).toContain(`imagestreams force-unlock ${stale.id}`);
    expect(await readLock(statePath)).toEqual(stale);
  });

  it('says so when the lock file cannot be read', async () => {
    await writeFile(lockFile, '');
    const error = await lockError(acquireLock(statePath, { operation: 'apply' }));
    expect(error.message).toContain(`The lock file ${lockFile} cannot be read`);
  });
});

/** Rejects with a StateError; returns its message. */
function stateErrorOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => expect.fail('expected a StateError'),
    (error: unknown) => {
      expect(error).toBeInstanceOf(StateError);
      return (error as StateError).message;
    },
  );
}

describe('something other than a lock file at the lock path', () => {
  const notALock = (kind: string) =>
    `the state lock ${lockFile} is ${kind}, not a lock file: imagestreams creates its lock as a regular file, and ` +
    'neither follows nor removes anything else there. Remove it yourself if no imagestreams process is running, ' +
    'then try again';

  it('a dangling symbolic link: an error, not an endless retry; the link stays', async () => {
    await symlink(join(dir, 'nowhere'), lockFile);
    expect(await stateErrorOf(acquireLock(statePath, { operation: 'apply' }))).toBe(notALock('a symbolic link'));
    expect(await stateErrorOf(acquireLock(statePath, { operation: 'apply', timeoutMs: 3_600_000 }))).toBe(
      notALock('a symbolic link'),
    );
    expect(await readlink(lockFile)).toBe(join(dir, 'nowhere'));
    expect(await readdir(dir)).toEqual(['imagestreams.state.json.lock']);
  });

  it('a symbolic link to a lock file elsewhere: neither followed nor removed', async () => {
    const elsewhere = join(dir, 'elsewhere.lock');
    const info = { id: 'x', operation: 'apply', who: 'a@b', pid: 1, created: '' };
    await writeFile(elsewhere, JSON.stringify(info));
    await symlink(elsewhere, lockFile);
    expect(await stateErrorOf(acquireLock(statePath, { operation: 'apply' }))).toBe(notALock('a symbolic link'));
    expect(await stateErrorOf(readLock(statePath))).toBe(notALock('a symbolic link'));
    expect(await stateErrorOf(forceUnlock(statePath, 'x'))).toBe(notALock('a symbolic link'));
    expect((await lstat(lockFile)).isSymbolicLink()).toBe(true);
    expect(JSON.parse(await readFile(elsewhere, 'utf8'))).toEqual(info);
  });

  it('a directory', async () => {
    await mkdir(lockFile);
    expect(await stateErrorOf(acquireLock(statePath, { operation: 'apply' }))).toBe(notALock('a directory'));
    expect(await stateErrorOf(readLock(statePath))).toBe(notALock('a directory'));
    expect((await lstat(lockFile)).isDirectory()).toBe(true);
  });

  it('a FIFO, which is never opened in a way that blocks', async () => {
    expect(spawnSync('mkfifo', [lockFile]).status).toBe(0);
    expect(await stateErrorOf(acquireLock(statePath, { operation: 'apply' }))).toBe(notALock('a FIFO'));
    expect(await stateErrorOf(readLock(statePath))).toBe(notALock('a FIFO'));
  });

  it('a state directory that is a file: the lock cannot be created, and says why', async () => {
    await writeFile(join(dir, 'file'), '');
    const message = await stateErrorOf(acquireLock(join(dir, 'file', 'state.json'), { operation: 'apply' }));
    expect(message).toMatch(/^cannot create the directory of the state lock .*: /);
  });
});

describe('formatLockInfo', () => {
  it('prints the block Terraform prints', () => {
    const info: LockInfo = {
      id: 'a1b2',
      operation: 'apply',
      who: 'alice@elsewhere.example',
      pid: 42,
      created: '2026-01-01T00:00:00.000Z',
      path: '/repo/imagestreams.state.json',
    };
    expect(formatLockInfo(info)).toBe(
      [
        'Lock Info:',
        '  ID:        a1b2',
        '  Path:      /repo/imagestreams.state.json',
        '  Operation: apply',
        '  Who:       alice@elsewhere.example',
        '  PID:       42',
        '  Created:   2026-01-01T00:00:00.000Z',
      ].join('\n'),
    );
  });
});

describe('Lock.release', () => {
  it('removes only a lock that still holds its id', async () => {
    const first = await acquireLock(statePath, { operation: 'apply' });
    await forceUnlock(statePath, first.info.id);
    const second = await acquireLock(statePath, { operation: 'apply' });
    await first.release();
    expect((await readLock(statePath))?.id).toBe(second.info.id);
    await second.release();
    await second.release();
    expect(await readLock(statePath)).toBeNull();
  });
});

describe('releaseHeldLocksNow', () => {
  it('removes at once the locks this process holds, and only while they hold its ids', async () => {
    const other = join(dir, 'other.state.json');
    const mine = await acquireLock(statePath, { operation: 'apply' });
    const taken = await acquireLock(other, { operation: 'apply' });
    // Unlocked by force meanwhile, and locked again by another process.
    await writeFile(`${other}.lock`, JSON.stringify({ ...taken.info, id: 'another-process' }));
    expect(holdsStateLock()).toBe(true);
    releaseHeldLocksNow();
    expect(await readLock(statePath)).toBeNull();
    expect((await readLock(other))?.id).toBe('another-process');
    expect(holdsStateLock()).toBe(false);
    await mine.release();
  });

  it('removes a lock being released, until its file is gone', async () => {
    const lock = await acquireLock(statePath, { operation: 'apply' });
    const releasing = lock.release();
    expect(holdsStateLock()).toBe(true);
    releaseHeldLocksNow();
    expect(existsSync(lockFile)).toBe(false);
    await releasing;
  });

  it('removes a lock being taken, from the creation of its file', async () => {
    let taken = false;
    const taking = acquireLock(statePath, { operation: 'apply' }).then((lock) => {
      taken = true;
      return lock;
    });
    while (!existsSync(lockFile)) await new Promise(setImmediate);
    expect(taken).toBe(false);
    releaseHeldLocksNow();
    expect(existsSync(lockFile)).toBe(false);
    await (await taking).release();
    expect(holdsStateLock()).toBe(false);
  });
});

describe('forceUnlock', () => {
  it('removes the lock with the given id and returns what it held', async () => {
    const held = await acquireLock(statePath, { operation: 'apply' });
    expect(await forceUnlock(statePath, held.info.id)).toEqual(held.info);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses an id that does not match, showing the current lock', async () => {
    const held = await acquireLock(statePath, { operation: 'apply' });
    const error = await lockError(forceUnlock(statePath, 'not-the-id'));
    expect(error.message).toBe(
      `cannot unlock the state: lock ID "not-the-id" does not match the current lock.\n${formatLockInfo(held.info)}`,
    );
    expect((await readLock(statePath))?.id).toBe(held.info.id);
    await held.release();
  });

  it('says when there is no lock', async () => {
    const error = await lockError(forceUnlock(statePath, 'any'));
    expect(error.message).toBe(`cannot unlock the state: ${statePath} is not locked`);
  });
});
