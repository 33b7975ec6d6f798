import { CatalogError, formatCatalogProblem, ImagestreamsError, LockError } from '../core/errors.js';
import type { TextSink } from './stderr-route.js';

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_CHANGES = 2;

/** The one place errors become stderr lines and exit codes: one clear line per problem, no stack trace. */
export function reportError(error: unknown, stderr: TextSink, env: NodeJS.ProcessEnv): number {
  stderr.write(`${formatError(error, env)}\n`);
  return EXIT_ERROR;
}

export function formatError(error: unknown, env: NodeJS.ProcessEnv = {}): string {
  if (error instanceof CatalogError) return error.problems.map(formatCatalogProblem).join('\n');
  if (error instanceof LockError) return `error: ${error.message}`;
  if (error instanceof ImagestreamsError) return `error: ${error.message}`;
  const message = error instanceof Error ? error.message : String(error);
  const stack = env.IMAGESTREAMS_DEBUG && error instanceof Error && error.stack ? `\n${error.stack}` : '';
  return `error: internal error: ${message}${stack}\n(this is a bug in imagestreams; set IMAGESTREAMS_DEBUG=1 for details)`;
}
