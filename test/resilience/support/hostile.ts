import { afterAll, expect } from 'vitest';
import { type HostileRegistry, startHostileRegistry } from '../../helpers/hostile-registry.js';
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

/** Starts hostile registries for the tests of the calling file, and stops them all after those tests. */
export function useHostileRegistries(): (
  ...options: Parameters<typeof startHostileRegistry>
) => Promise<HostileRegistry> {
  const servers: HostileRegistry[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });
  return async (...options) => {
    const server = await startHostileRegistry(...options);
    servers.push(server);
    return server;
  };
}
