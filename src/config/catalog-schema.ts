import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

/** `schemas/imagestreams.schema.json`, shipped with the package beside `dist/`. */
export const CATALOG_SCHEMA_URL = new URL('../../schemas/imagestreams.schema.json', import.meta.url);

let validator: ValidateFunction | undefined;

/** Compiled on first use: commands that never read a catalog do not pay for it. */
function catalogValidator(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(CATALOG_SCHEMA_URL, 'utf8')) as object;
    // verbose: errors carry the offending data and their parent schema, from which messages are written.
    const ajv = new Ajv2020({ allErrors: true, strict: true, verbose: true });
    ajv.addVocabulary(['patternErrorMessage']);
    validator = ajv.compile(schema);
  }
  return validator;
}

/** The schema errors of a catalog's plain values; empty when it conforms. */
export function catalogSchemaErrors(value: unknown): ErrorObject[] {
  const validate = catalogValidator();
  return validate(value) ? [] : [...(validate.errors ?? [])];
}
