import { type CatalogProblem, formatCatalogWarning } from '../core/errors.js';

/** One error or warning of `validate --json`. */
export interface ValidateProblemJson {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** The document `validate --json` prints (schemas/validate.schema.json). */
export interface ValidateReportJson {
  valid: boolean;
  errors: ValidateProblemJson[];
  warnings: ValidateProblemJson[];
}

export function validateReportJson(errors: CatalogProblem[], warnings: CatalogProblem[]): ValidateReportJson {
  return { valid: errors.length === 0, errors: errors.map(problemJson), warnings: warnings.map(problemJson) };
}

function problemJson({ location, message }: CatalogProblem): ValidateProblemJson {
  return { file: location.file, line: location.line, column: location.column, message };
}

/** `file:line:col: warning: …` lines, as `validate` writes them to stderr. */
export function renderCatalogWarnings(warnings: CatalogProblem[]): string {
  return warnings.map((warning) => `${formatCatalogWarning(warning)}\n`).join('');
}

/** `imagestreams.yaml is valid: 2 streams, 5 tags.` (with the number of warnings when there are any). */
export function renderValidSummary(displayPath: string, counts: { streams: number; tags: number; warnings: number }) {
  const { streams, tags, warnings } = counts;
  const warned = warnings === 0 ? '' : `; ${plural(warnings, 'warning')}`;
  return `${displayPath} is valid: ${plural(streams, 'stream')}, ${plural(tags, 'tag')}${warned}.\n`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
