import { excludePatternSource, isExcludePattern, namedGroupsOf, patternProblem } from '../core/discovery-patterns.js';
import { quoted } from '../core/echoed-text.js';
import { closestWord } from './closest-word.js';
import { childPointer, subjectOf } from './json-pointer.js';
import type { ProblemList } from './problems.js';
import { type RawMap, stringAt } from './raw-values.js';

/** `include`, `capture` and `exclude` of a `discover` block, checked. */
export interface DiscoverFilters {
  include?: string;
  capture?: string;
  exclude: string[];
}

/** The filters of `discover` at `pointer`; undefined when one of them is wrong (a problem says which). */
export function discoverFiltersAt(
  raw: RawMap | undefined,
  pointer: string,
  problems: ProblemList,
): DiscoverFilters | undefined {
  const include = includeAt(raw, pointer, problems);
  const capture = include === null ? undefined : captureAt(raw, include, pointer, problems);
  const exclude = excludeAt(raw, pointer, problems);
  if (include === null || capture === null || !exclude) return undefined;
  const filters: DiscoverFilters = { exclude };
  if (include !== undefined) filters.include = include;
  if (capture !== undefined) filters.capture = capture;
  return filters;
}

/** The pattern; null when it does not compile. */
function includeAt(raw: RawMap | undefined, pointer: string, problems: ProblemList): string | undefined | null {
  const include = stringAt(raw, 'include');
  const at = childPointer(pointer, 'include');
  if (problems.has(at)) return null;
  if (include === undefined) return undefined;
  const problem = patternProblem(include);
  if (problem === undefined) return include;
  problems.add(at, `${subjectOf(at)} is not a valid pattern (RE2 syntax): ${problem}`);
  return null;
}

/**
 * The named group the policy orders on: `capture`, which must be a group of `include`, else the only named group of
 * `include`. Null when it cannot be told.
 */
function captureAt(
  raw: RawMap | undefined,
  include: string | undefined,
  pointer: string,
  problems: ProblemList,
): string | undefined | null {
  const groups = include === undefined ? [] : namedGroupsOf(include);
  const capture = stringAt(raw, 'capture');
  if (capture === undefined) {
    if (groups.length <= 1) return groups[0];
    const message = `${subjectOf(childPointer(pointer, 'include'))} has several named groups (${groups.join(', ')}): set "capture" to the one the policy orders on`;
    problems.add(childPointer(pointer, 'include'), message);
    return null;
  }
  if (groups.includes(capture)) return capture;
  problems.add(childPointer(pointer, 'capture'), unknownGroup(capture, groups, include !== undefined, pointer));
  return null;
}

function unknownGroup(capture: string, groups: string[], hasInclude: boolean, pointer: string): string {
  const subject = subjectOf(childPointer(pointer, 'capture'));
  if (!hasInclude)
    return `${subject} names the group ${quoted(capture)}, but there is no "include" pattern to take it from`;
  if (groups.length === 0) {
    return `${subject} names the group ${quoted(capture)}, but "include" has no named group such as (?<${capture}>…)`;
  }
  const suggestion = closestWord(capture, groups);
  const hint = suggestion ? `did you mean ${quoted(suggestion)}? ` : '';
  return `${subject} names the group ${quoted(capture)}, which "include" does not have (${hint}its named groups: ${groups.join(', ')})`;
}

/** The entries of `exclude` (a string or a list); undefined when an entry written `/…/` is not a valid pattern. */
function excludeAt(raw: RawMap | undefined, pointer: string, problems: ProblemList): string[] | undefined {
  const value = raw?.exclude;
  if (value === undefined) return [];
  const at = childPointer(pointer, 'exclude');
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((entry, index) => [childPointer(at, index), entry])
    : [[at, value]];
  let valid = true;
  for (const [entryAt, entry] of entries) {
    if (typeof entry !== 'string' || !isExcludePattern(entry)) continue;
    const problem = patternProblem(excludePatternSource(entry));
    if (problem === undefined) continue;
    problems.add(entryAt, `${subjectOf(entryAt)} is not a valid pattern (RE2 syntax): ${problem}`);
    valid = false;
  }
  const strings = entries.map(([, entry]) => entry).filter((entry): entry is string => typeof entry === 'string');
  return valid ? strings : undefined;
}
