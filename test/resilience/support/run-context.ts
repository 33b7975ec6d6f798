import { inject } from 'vitest';
import { derivedRandom, type Random } from './random.js';
import { type Counts, count } from './tally.js';

/** Adds to the counts reported at the end of the run. */
export function tally(counts: Partial<Counts>): void {
  count(inject('resilienceTallyDir'), counts);
}

/** The run's seeded random source for one purpose (see global-setup.ts). */
export function randomFor(purpose: string): Random {
  return derivedRandom(inject('resilienceSeed'), purpose);
}
