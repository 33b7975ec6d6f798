import { parseDuration } from './duration.js';
import { childPointer, subjectOf } from './json-pointer.js';
import type { ProblemList } from './problems.js';
import { type RawMap, stringAt } from './raw-values.js';

/** `map[key]` as milliseconds; undefined when absent or wrong (a zero duration is reported here). */
export function positiveDurationAt(
  map: RawMap | undefined,
  key: string,
  pointer: string,
  problems: ProblemList,
): number | undefined {
  const text = stringAt(map, key);
  const at = childPointer(pointer, key);
  if (text === undefined || problems.has(at)) return undefined;
  try {
    const milliseconds = parseDuration(text);
    if (milliseconds > 0) return milliseconds;
    problems.add(at, `${subjectOf(at)} must be at least 1s, not ${text}`);
  } catch (error) {
    problems.add(at, (error as Error).message);
  }
  return undefined;
}
