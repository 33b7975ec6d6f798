import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

/** `schemas/state.schema.json`, shipped with the package beside `dist/`. */
export const STATE_SCHEMA_URL = new URL('../../schemas/state.schema.json', import.meta.url);

interface StateValidators {
  state: ValidateFunction;
  tagState: ValidateFunction;
}

let validators: StateValidators | undefined;

/** Compiled on first use: commands that never touch the state do not pay for it. */
function stateValidators(): StateValidators {
  if (!validators) {
    const schema = JSON.parse(readFileSync(STATE_SCHEMA_URL, 'utf8')) as { $id: string };
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    ajv.addSchema(schema);
    validators = {
      state: ajv.getSchema(schema.$id)!,
      tagState: ajv.compile({ $ref: `${schema.$id}#/$defs/tagState` }),
    };
  }
  return validators;
}

/** Problems with a whole state document (`[]` when it is valid), as `/json/pointer: message`. */
export function stateProblems(value: unknown): string[] {
  return problemsOf(stateValidators().state, value);
}

/** Problems with one tag's state, as recorded in the journal. */
export function tagStateProblems(value: unknown): string[] {
  return problemsOf(stateValidators().tagState, value);
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
