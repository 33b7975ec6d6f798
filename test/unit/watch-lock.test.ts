import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LockInfo, StateError } from '../../src/core/errors.js';
import { waitForStateLock } from '../../src/engine/watch/lock.js';
import { acquireLock, readLock } from '../../src/state/index.js';
import { ManualClock } from '../helpers/manual-clock.js';

let dir: string;
let statePath: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'watch-lock-'));
  statePath = join(dir, 'imagestreams.state.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function waiting(clock: ManualClock, waits: (LockInfo | null)[], signal = new AbortController().signal) {
  return waitForStateLock(statePath, { clock, pollMs: 500, signal, onWait: (holder) => waits.push(holder) });
}

/** Resolves once `waits` holds `count` entries (the lock is read from disk, which takes real time). */
async function waitsReported(waits: unknown[], count: number): Promise<void> {
  while (waits.length < count) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('waitForStateLock (watch)', () => {
  it('waits while a running process holds the lock, says so once, and takes it once released', async () => {
    const clock = new ManualClock();
    const held = await acquireLock(statePath, { operation: 'apply' });
    const waits: (LockInfo | null)[] = [];
    const taking = waiting(clock, waits);
    await waitsReported(waits, 1);
    for (let i = 0; i < 3; i++) await clock.advance(500);
    expect(waits).toEqual([held.info]);
    await held.release();
    let lock: Awaited<typeof taking> | undefined;
    void taking.then((taken) => {
      lock = taken;
    });
    while (!lock) await clock.advance(500);
    expect(lock?.info.operation).toBe('watch');
    await lock?.release();
  });

  it('does not wait for a lock whose process is no longer running on this host: it fails naming force-unlock', async () => {
    const stale: LockInfo = {
      id: '0b5e3c1a-0000-4000-8000-000000000000',
      operation: 'watch',
      who: `someone@${hostname()}`,
      pid: spawnSync(process.execPath, ['-e', '']).pid!,
      created: '2026-01-01T00:00:00.000Z',
    };
    await writeFile(`${statePath}.lock`, JSON.stringify(stale));
    const waits: (LockInfo | null)[] = [];
    const error = await waiting(new ManualClock(), waits).then(
      () => expect.fail('expected a StateError'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StateError);
    expect((error as Error).message).toBe(
      `the state ${statePath} is locked by a process that is no longer running on this host ` +
        `(watch by someone@${hostname()}, PID ${stale.pid}, since 2026-01-01T00:00:00.000Z), so waiting would not ` +
        `help; if no imagestreams process is using the state, remove the lock with: imagestreams force-unlock ${stale.id}`,
    );
    expect(waits).toEqual([]);
    expect(await readLock(statePath)).toEqual(stale);
  });

  it('gives up the wait when stopped', async () => {
    const clock = new ManualClock();
    const held = await acquireLock(statePath, { operation: 'apply' });
    const stop = new AbortController();
    const waits: (LockInfo | null)[] = [];
    const taking = waiting(clock, waits, stop.signal);
    await waitsReported(waits, 1);
    stop.abort();
    expect(await taking).toBeUndefined();
    await held.release();
  });
});
