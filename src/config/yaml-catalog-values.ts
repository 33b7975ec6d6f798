import type { CatalogValues } from './catalog-from-text.js';
import { ProblemList } from './problems.js';
import { parseYaml } from './yaml-parse.js';
import { toPlainValues } from './yaml-values.js';

/**
 * The catalog's values read by the YAML library, for any text. The YAML document (some 40 MB with its syntax tree
 * at 10,000 tags) is left behind here: only the values and their offsets live on.
 */
export function yamlCatalogValues(text: string, displayPath: string): CatalogValues {
  const yaml = parseYaml(text);
  const problems = new ProblemList(displayPath, yaml.lines);
  for (const problem of yaml.problems) problems.addAtOffset(problem.offset, problem.message);
  if (!yaml.doc || problems.size > 0) throw problems.toError();
  return { value: toPlainValues(yaml.doc.contents, text, problems), problems };
}
