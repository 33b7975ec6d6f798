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
  /** For a valid catalog: how many streams discover their tags (their tags are not known offline). */
  discoveringStreams?: number;
}

export function validateReportJson(
  errors: CatalogProblem[],
  warnings: CatalogProblem[],
  discoveringStreams?: number,
): ValidateReportJson {
  return {
    valid: errors.length === 0,
    errors: errors.map(problemJson),
    warnings: warnings.map(problemJson),
    ...(discoveringStreams !== undefined && { discoveringStreams }),
  };
}

function problemJson({ location, message }: CatalogProblem): ValidateProblemJson {
  return { file: location.file, line: location.line, column: location.column, message };
}

/** `file:line:col: warning: …` lines, as `validate` writes them to stderr. */
export function renderCatalogWarnings(warnings: CatalogProblem[]): string {
  return warnings.map((warning) => `${formatCatalogWarning(warning)}\n`).join('');
}

/**
 * `imagestreams.yaml is valid: 2 streams, 5 tags.`, with the streams that discover their tags (`3 streams, 5 tags
 * and 2 streams that discover their tags`: how many tags they discover is known only once listed) and the number
 * of warnings when there are any.
 */
export function renderValidSummary(
  displayPath: string,
  counts: { streams: number; tags: number; discoveringStreams: number; warnings: number },
) {
  const { streams, tags, discoveringStreams, warnings } = counts;
  const discovering =
    discoveringStreams === 0
      ? ''
      : ` and ${plural(discoveringStreams, 'stream')} that ${discoveringStreams === 1 ? 'discovers its' : 'discover their'} tags`;
  const warned = warnings === 0 ? '' : `; ${plural(warnings, 'warning')}`;
  return `${displayPath} is valid: ${plural(streams, 'stream')}, ${plural(tags, 'tag')}${discovering}${warned}.\n`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
