import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { interruptible } from '../../src/cli/interrupt.js';
import { importProgress } from '../../src/cli/progress.js';
import type { StopProcess } from '../../src/cli/stop-signals.js';
import { acquireLock } from '../../src/state/index.js';
import { memoryIo } from '../helpers/memory-io.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'interrupt-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A terminal that keeps what is written to it. */
function terminal() {
  let text = '';
  return {
    isTTY: true,
    columns: 80,
    rows: 24,
    write(chunk: string) {
      text += chunk;
      return true;
    },
    get text() {
      return text;
    },
  };
}

/** A process whose stop signal is sent by `send`, and whose exit throws what it exits with. */
function fakeProcess() {
  let handler: ((signal: NodeJS.Signals) => void) | undefined;
  const host: StopProcess = {
    onStopSignal(h) {
      handler = h;
      return () => {
        handler = undefined;
      };
    },
    exitSoon: () => {},
    exitNow(code) {
      throw new Error(`exit ${code}`);
    },
    dieOf: () => {},
  };
  return { host, send: (signal: NodeJS.Signals) => handler?.(signal) };
}

describe('a command stopped at once while it holds the state lock', () => {
  it('releases the lock and ends the live progress before saying so, leaving nothing drawn below', async () => {
    const screen = terminal();
    const io = memoryIo({ stderr: screen });
    const { host, send } = fakeProcess();
    const statePath = join(dir, 'state.json');
    await interruptible(
      io,
      "run 'imagestreams apply'",
      async () => {
        const lock = await acquireLock(statePath, { operation: 'apply' });
        const progress = importProgress(io, false);
        progress.started?.([]);
        progress.onEvent?.({ type: 'start', address: 'app:1', action: 'create' });
        expect(() => send('SIGINT')).toThrow('exit 1');
        expect(existsSync(`${statePath}.lock`)).toBe(false);
        await lock.release();
        return 0;
      },
      host,
    );
    expect(screen.text).toMatch(/\nerror: stopped at once \(SIGINT\): .* run 'imagestreams apply' to finish\n$/);
  });
});
