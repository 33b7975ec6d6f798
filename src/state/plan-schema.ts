import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { validatePlan } from '../generated/plan-validator.js';

// Compiled from schemas/plan.schema.json at build time (scripts/compile-schemas.mjs), with ajv's `allErrors`.
const planValidator = validatePlan as unknown as ValidateFunction;

const SHOWN_PATH_LENGTH = 120;

/**
 * Problems with a plan document (`[]` when it is valid), as `/json/pointer: message`. A saved plan is untrusted:
 * the pointers, made of its keys, are cut short and their control characters replaced.
 */
export function planProblems(value: unknown): string[] {
  if (planValidator(value)) return [];
  const errors = [...(planValidator.errors ?? [])];
  return errors.sort((a, b) => rank(a) - rank(b)).map(describeProblem);
}

/** Missing and mistyped fields first: the conditional rules of the schema fail in their wake. */
function rank(error: ErrorObject): number {
  return ['required', 'type', 'additionalProperties'].includes(error.keyword) ? 0 : 1;
}

function describeProblem(error: ErrorObject): string {
  const where = printable(error.instancePath || '/');
  if (error.keyword === 'additionalProperties') return `${where}: has a property the plan format does not define`;
  if (error.keyword === 'enum') {
    return `${where}: must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return `${where}: ${error.message ?? error.keyword}`;
}

function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > SHOWN_PATH_LENGTH ? `${clean.slice(0, SHOWN_PATH_LENGTH)}…` : clean;
}
