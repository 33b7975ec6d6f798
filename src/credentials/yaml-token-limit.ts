import { MAX_YAML_TOKENS } from '../core/yaml-limits.js';
import { DocumentProblem } from './errors.js';
import { deepNesting, MAX_NESTING } from './nesting-depth.js';
import { yamlLibrary } from './yaml-library.js';

/**
 * Refuses YAML of more tokens than a catalog may hold, or of flow collections nested deeper than MAX_NESTING, before
 * the library builds it: the library keeps about a kilobyte per token, so a few MiB of `- [a]` lines would take a
 * gigabyte. Brackets count as the library reads them: those in a quoted or plain scalar or a comment do not.
 */
export function refuseCostlyYaml(text: string): void {
  let tokens = 0;
  let depth = 0;
  for (const token of new (yamlLibrary().Lexer)().lex(text)) {
    if (++tokens > MAX_YAML_TOKENS) {
      throw new DocumentProblem(`the file has too many YAML tokens (more than ${MAX_YAML_TOKENS})`);
    }
    if (token === '[' || token === '{') {
      if (++depth > MAX_NESTING) throw deepNesting();
    } else if (token === ']' || token === '}') depth = Math.max(0, depth - 1);
  }
}
