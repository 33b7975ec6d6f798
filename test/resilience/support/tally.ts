import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the resilience suite counts, reported at the end of the run. */
export interface Counts {
  /** Requests a fault proxy answered with a fault (429, 503, reset, oversize or forged body). */
  faults: number;
  /** `kill -9` delivered to a running apply. */
  kills: number;
  /** Hostile or damaged inputs fed to the commands: catalogs, layouts, registry answers, state files. */
  inputs: number;
  /** Attacks on the trust guarantees held: echoed credentials, realm downgrades, tampered plans, symlink tricks, … */
  attacks: number;
  /** Imports reported complete before a kill and missing from the state afterwards. */
  losses: number;
  /** Tags holding an item twice after recovery. */
  duplicates: number;
}

export const NO_COUNTS: Counts = { faults: 0, kills: 0, inputs: 0, attacks: 0, losses: 0, duplicates: 0 };

const TALLY_FILE = 'tally.jsonl';

/** Adds to the run's counts, kept as lines of a file shared by every test file of the run. */
export function count(dir: string, counts: Partial<Counts>): void {
  appendFileSync(join(dir, TALLY_FILE), `${JSON.stringify(counts)}\n`);
}

export function readCounts(dir: string): Counts {
  const path = join(dir, TALLY_FILE);
  const total = { ...NO_COUNTS };
  if (!existsSync(path)) return total;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    const counts = JSON.parse(line) as Partial<Counts>;
    for (const key of Object.keys(total) as (keyof Counts)[]) total[key] += counts[key] ?? 0;
  }
  return total;
}

export function formatCounts(counts: Counts, leaks: number, seed: number): string {
  return (
    `resilience: ${counts.kills} kills, ${counts.faults} faults injected, ${counts.inputs} hostile inputs tried, ` +
    `${counts.attacks} attacks held, ${counts.losses} losses, ${counts.duplicates} duplicates, ` +
    `${leaks} secret leaks (seed ${seed})`
  );
}
