import { MAX_YAML_TOKENS } from '../core/yaml-limits.js';
import { DocumentProblem } from './errors.js';
import { yamlLibrary } from './yaml-library.js';

/**
 * Refuses YAML of more tokens than a catalog may hold, before the library builds it: the library keeps about a
 * kilobyte per token, so a few MiB of `- [a]` lines would take a gigabyte.
 */
export function refuseManyYamlTokens(text: string): void {
  let tokens = 0;
  for (const _ of new (yamlLibrary().Lexer)().lex(text)) {
    if (++tokens > MAX_YAML_TOKENS) {
      throw new DocumentProblem(`the file has too many YAML tokens (more than ${MAX_YAML_TOKENS})`);
    }
  }
}
