import { MAX_YAML_TOKENS } from '../core/yaml-limits.js';
import { DocumentProblem } from './errors.js';
import { deepNesting, MAX_NESTING } from './nesting-depth.js';
import { yamlLibrary } from './yaml-library.js';

/**
 * Most characters of double-quoted strings a YAML file may hold: the library builds such a string a character at a
 * time, some 40 bytes each until it is used, so that an 8 MiB one took 390 MB. Far more than credentials need.
 */
export const MAX_DOUBLE_QUOTED_CHARS = 2 * 1024 * 1024;

/**
 * Refuses YAML of more tokens than a catalog may hold, of flow collections nested deeper than MAX_NESTING, or of more
 * double-quoted text than MAX_DOUBLE_QUOTED_CHARS, before the library builds it: the library keeps about a kilobyte
 * per token, so a few MiB of `- [a]` lines would take a gigabyte, and nearly as much per line of a scalar of many
 * lines, which counts as a token. Brackets count as the library reads them: not in a scalar or a comment.
 */
export function refuseCostlyYaml(text: string): void {
  let tokens = 0;
  let depth = 0;
  let doubleQuoted = 0;
  for (const token of new (yamlLibrary().Lexer)().lex(text)) {
    tokens += 1 + linesWithin(token);
    if (tokens > MAX_YAML_TOKENS) throw tooMuch(`too many YAML tokens (more than ${MAX_YAML_TOKENS})`);
    if (token === '[' || token === '{') depth++;
    else if (token === ']' || token === '}') depth = Math.max(0, depth - 1);
    else if (token.startsWith('"')) doubleQuoted += token.length;
    if (depth > MAX_NESTING) throw deepNesting();
    if (doubleQuoted > MAX_DOUBLE_QUOTED_CHARS) {
      throw tooMuch(`more than ${MAX_DOUBLE_QUOTED_CHARS / 1024 / 1024} MiB of double-quoted strings`);
    }
  }
}

/** The line ends inside a scalar of many lines, each of which the library keeps as it keeps a token. */
function linesWithin(token: string): number {
  if (token === '\n' || token === '\r\n') return 0;
  let lines = 0;
  for (let at = token.indexOf('\n'); at !== -1; at = token.indexOf('\n', at + 1)) lines++;
  return lines;
}

function tooMuch(what: string): DocumentProblem {
  return new DocumentProblem(`the file has ${what}`);
}
