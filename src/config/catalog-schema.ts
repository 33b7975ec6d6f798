import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { validateCatalog } from '../generated/catalog-validator.js';

// Compiled from schemas/imagestreams.schema.json at build time (scripts/compile-schemas.mjs), with ajv's `allErrors` and `verbose`:
// errors carry the offending data and their parent schema, from which messages are written.
const validate = validateCatalog as unknown as ValidateFunction;

/** The schema errors of a catalog's plain values; empty when it conforms. */
export function catalogSchemaErrors(value: unknown): ErrorObject[] {
  return validate(value) ? [] : [...(validate.errors ?? [])];
}
