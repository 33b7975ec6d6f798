import { InterruptedError } from '../core/errors.js';
import { Interruption, STOP_GRACE_MS } from '../operations/interruption.js';
import { holdsStateLock, releaseHeldLocksNow } from '../operations/state.js';
import { EXIT_ERROR } from './exit.js';
import type { Io } from './output.js';
import { nodeProcess, type StopProcess } from './stop-signals.js';

/** The most addresses the message of an interrupted command lists. */
const LISTED_LEFT = 10;

/**
 * Runs a command that writes the state, stopping as Terraform does on SIGINT or SIGTERM. While it imports, the first
 * signal stops it gracefully: no new import starts, those in progress get a grace period, what completed is committed
 * and the lock released; the command then fails naming what was done and what was left. A second signal, or one
 * while the state lock is held but nothing is imported (planning, the approval prompt), releases the lock and exits
 * at once: the journal keeps every completed import. Without the lock, a signal ends the process as it always did.
 */
export async function interruptible(
  io: Io,
  /** What to run to finish the rest, as `run 'imagestreams apply'`. */
  finish: string,
  command: (interruption: Interruption) => Promise<number>,
  host: StopProcess = nodeProcess,
): Promise<number> {
  const interruption = new Interruption();
  const unlisten = host.onStopSignal((signal) => {
    if (interruption.importing && !interruption.stop.aborted) {
      io.stderr.write(stoppingLine());
      interruption.request();
      return;
    }
    if (!interruption.stop.aborted && !holdsStateLock()) {
      unlisten();
      host.dieOf(signal);
      return;
    }
    const released = holdsStateLock() ? 'the state lock was released, and what was imported is kept; ' : '';
    releaseHeldLocksNow();
    io.stderr.endTakeOver();
    io.stderr.write(`\nerror: stopped at once (${signal}): ${released}${finish} to finish\n`);
    host.exitNow(EXIT_ERROR);
  });
  try {
    return await command(interruption);
  } catch (error) {
    if (!(error instanceof InterruptedError)) throw error;
    io.stderr.write(interruptedMessage(error, finish));
    if (interruption.abandon.aborted) host.exitSoon(EXIT_ERROR);
    return EXIT_ERROR;
  } finally {
    unlisten();
  }
}

function stoppingLine(): string {
  const seconds = STOP_GRACE_MS / 1000;
  return (
    `\nInterrupt received. Stopping gracefully: no new import starts, imports in progress get ${seconds}s to ` +
    'finish. Interrupt again to stop at once.\n'
  );
}

function interruptedMessage({ done, left }: InterruptedError, finish: string): string {
  const shown = left.slice(0, LISTED_LEFT).join(', ');
  const more = left.length > LISTED_LEFT ? ` and ${left.length - LISTED_LEFT} more` : '';
  return (
    `\nerror: interrupted: ${count(done.length)} done (recorded in the state), ${count(left.length)} left ` +
    `(${shown}${more}); ${finish} to finish the rest\n`
  );
}

function count(tags: number): string {
  return `${tags} ${tags === 1 ? 'tag' : 'tags'}`;
}
