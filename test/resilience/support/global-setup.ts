import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { REPO_ROOT } from '../../helpers/cli.js';
import { readLeaks } from './secrets.js';
import { formatCounts, readCounts } from './tally.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Seed of every random choice of the run (kill points); set RESILIENCE_SEED to repeat a run. */
    resilienceSeed: number;
    /** Where test files add to the run's counts. */
    resilienceTallyDir: string;
  }
}

/** Builds the CLI the suite runs, chooses the run's seed, and reports the counts when the run ends. */
export default function setup(project: TestProject): () => void {
  execFileSync(
    process.execPath,
    [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    },
  );
  const seed = process.env.RESILIENCE_SEED ? Number(process.env.RESILIENCE_SEED) : randomInt(2 ** 31);
  if (!Number.isSafeInteger(seed))
    throw new Error(`RESILIENCE_SEED must be an integer, not ${process.env.RESILIENCE_SEED}`);
  const tallyDir = mkdtempSync(join(tmpdir(), 'imagestreams-resilience-tally-'));
  project.provide('resilienceSeed', seed);
  project.provide('resilienceTallyDir', tallyDir);
  console.log(`resilience: seed ${seed} (RESILIENCE_SEED=${seed} repeats this run's kill points)`);
  return () => {
    const leaks = readLeaks(tallyDir);
    console.log(formatCounts(readCounts(tallyDir), leaks.length, seed));
    rmSync(tallyDir, { recursive: true, force: true });
    if (leaks.length > 0) {
      console.error(`test credentials found where they must never be:\n${leaks.join('\n')}`);
      process.exitCode = 1;
    }
  };
}
