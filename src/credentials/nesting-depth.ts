import { BACKSLASH, CLOSE_ARRAY, CLOSE_OBJECT, OPEN_ARRAY, OPEN_OBJECT, QUOTE } from '../core/json-characters.js';
import { DocumentProblem } from './errors.js';

/** Deeper than any credentials document (a Secret's `data` holds `{"auths": {host: {…}}}`: four levels). */
export const MAX_NESTING = 64;

/** The refusal of a document nested deeper than MAX_NESTING. */
export function deepNesting(what = 'the file'): DocumentProblem {
  return new DocumentProblem(`${what} nests more than ${MAX_NESTING} levels deep`);
}

/**
 * Refuses JSON whose brackets nest deeper than MAX_NESTING, before a parser builds it: a few MiB of `[` would
 * otherwise take hundreds of MiB of memory. Brackets inside strings do not count.
 */
export function refuseDeepNesting(text: string, what = 'the file'): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > MAX_NESTING) throw deepNesting(what);
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth = Math.max(0, depth - 1);
  }
}
