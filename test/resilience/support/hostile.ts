import { expect } from 'vitest';
import { type CliOutcome, runCliMeasured } from './cli-process.js';

/** The memory a command may use on any input: node itself takes about 60 MiB. */
export const PEAK_RSS_LIMIT_MB = 300;

/** A command fed a hostile input: killed at twice the memory limit, or after 30 seconds, to protect the machine. */
export function runOnHostileInput(args: readonly string[], cwd: string): Promise<CliOutcome> {
  return runCliMeasured(args, cwd, { timeoutMs: 30_000, memoryLimitMb: 2 * PEAK_RSS_LIMIT_MB });
}

/** Exit 1 with a clear error (no internal error, no stack trace), within the memory limit. */
export function expectRefused(outcome: CliOutcome, message: RegExp): void {
  const output = `${outcome.stdout}${outcome.stderr}`;
  const shown = `stopped by ${outcome.stoppedBy}, exit ${outcome.code}, peak ${outcome.peakRssMb?.toFixed(0)} MiB\n${output.slice(0, 2000)}`;
  expect(outcome.stoppedBy, shown).toBe('exit');
  expect(outcome.code, shown).toBe(1);
  expect(output).toMatch(message);
  expect(output).not.toMatch(/internal error|\n {4}at /);
  expectWithinMemory(outcome);
}

export function expectWithinMemory(outcome: CliOutcome): void {
  expect(outcome.peakRssMb, `peak resident memory (MiB), stopped by ${outcome.stoppedBy}`).not.toBeNull();
  expect(outcome.peakRssMb!).toBeLessThan(PEAK_RSS_LIMIT_MB);
}
