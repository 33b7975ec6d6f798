import type { RE2JS } from 're2js';
import type { StreamDiscovery } from './discovery.js';
import { re2jsPackage } from './lazy-packages.js';
import { isTag } from './reference-grammar.js';

/** Thrown for a pattern RE2 refuses; the message says why, without the library's prefix. */
export class PatternSyntaxError extends Error {}

/** A pattern compiled for RE2JS, which runs in time linear in the tag (no backtracking). */
export function compilePattern(source: string): RE2JS {
  try {
    return re2jsPackage().RE2JS.compile(source);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new PatternSyntaxError(message.replace(/^error parsing regexp: /, ''));
  }
}

/** Why RE2 refuses `source`, or undefined when it compiles. */
export function patternProblem(source: string): string | undefined {
  try {
    compilePattern(source);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The names of the named groups of a pattern that compiles, in the order they are written. */
export function namedGroupsOf(source: string): string[] {
  const groups = compilePattern(source).namedGroups();
  return Object.keys(groups).sort((a, b) => (groups[a] ?? 0) - (groups[b] ?? 0));
}

/** An `exclude` entry written `/…/`: a pattern rather than a substring (a tag never contains `/`). */
export function isExcludePattern(entry: string): boolean {
  return entry.length >= 3 && entry.startsWith('/') && entry.endsWith('/');
}

export function excludePatternSource(entry: string): string {
  return entry.slice(1, -1);
}

/** A tag left out by the filters, and one whose capture took no part in the match. */
export const FILTERED: unique symbol = Symbol('filtered');
export const UNCAPTURED: unique symbol = Symbol('uncaptured');

/** What the policy orders a tag on (the tag, or its capture), or why it is left out before it is ordered. */
export type FilterOutcome = string | typeof FILTERED | typeof UNCAPTURED;

/**
 * The `include`, `capture` and `exclude` of a discovery as one function of a tag. What cannot be a tag name (more than
 * 128 characters, or characters a tag does not have) never passes: no pattern ever runs on more, and nothing a
 * registry lists becomes a tag of the catalog that the catalog could not have written. It builds nothing for a tag
 * but the capture: it runs on every tag of a listing.
 */
export function tagFilter(discovery: Pick<StreamDiscovery, 'include' | 'capture' | 'exclude'>) {
  const include = discovery.include === undefined ? undefined : compilePattern(discovery.include);
  const capture = discovery.capture;
  const excluded = excluder(discovery.exclude);
  return (tag: string): FilterOutcome => {
    if (!isTag(tag) || excluded(tag)) return FILTERED;
    if (!include) return tag;
    // Telling whether it matches is much cheaper than finding the groups: only the tags that match pay for that.
    if (!include.test(tag)) return FILTERED;
    if (capture === undefined) return tag;
    const matcher = include.matcher(tag);
    if (!matcher.find()) return FILTERED;
    return matcher.group(capture) ?? UNCAPTURED;
  };
}

function excluder(entries: readonly string[]): (tag: string) => boolean {
  const substrings = entries.filter((entry) => !isExcludePattern(entry));
  const patterns = entries.filter(isExcludePattern).map((entry) => compilePattern(excludePatternSource(entry)));
  return (tag) => {
    for (const text of substrings) if (tag.includes(text)) return true;
    for (const pattern of patterns) if (pattern.test(tag)) return true;
    return false;
  };
}
