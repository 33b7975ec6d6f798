import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { validateState, validateTagState } from '../generated/state-validators.js';

// Compiled from schemas/state.schema.json at build time (scripts/compile-schemas.mjs), with ajv's `allErrors`.
const stateValidator = validateState as unknown as ValidateFunction;
const tagStateValidator = validateTagState as unknown as ValidateFunction;

/** Problems with a whole state document (`[]` when it is valid), as `/json/pointer: message`. */
export function stateProblems(value: unknown): string[] {
  return problemsOf(stateValidator, value);
}

/** Problems with one tag's state, as recorded in the journal. */
export function tagStateProblems(value: unknown): string[] {
  return problemsOf(tagStateValidator, value);
}

function problemsOf(validate: ValidateFunction, value: unknown): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map(describeProblem);
}

function describeProblem(error: ErrorObject): string {
  const where = error.instancePath || '/';
  if (error.keyword === 'additionalProperties') {
    return `${where}: unknown property ${JSON.stringify(error.params.additionalProperty)}`;
  }
  if (error.keyword === 'enum') {
    return `${where}: must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return `${where}: ${error.message ?? error.keyword}`;
}

/** At most `limit` problems, one per line, saying how many more there are. */
export function formatProblems(problems: string[], limit = 5): string {
  const shown = problems.slice(0, limit).map((p) => `  ${p}`);
  if (problems.length > limit) shown.push(`  … and ${problems.length - limit} more`);
  return shown.join('\n');
}
