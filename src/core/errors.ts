/** Why an import failed; the `reason` of an ImportSuccess=False condition (DESIGN §4). */
export type ImportReason =
  | 'NotFound'
  | 'Unauthorized'
  | 'Forbidden'
  | 'TooManyRequests'
  | 'InvalidManifest'
  | 'TLSError'
  | 'Unreachable'
  | 'InternalError';

/** Base of every error the program raises on purpose; anything else is a bug. */
export abstract class ImagestreamsError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A reference that does not follow the distribution/reference grammar. */
export class InvalidReferenceError extends ImagestreamsError {
  readonly code = 'INVALID_REFERENCE';
}

/** A platform string that cannot be parsed as os/arch[/variant][:osversion]. */
export class InvalidPlatformError extends ImagestreamsError {
  readonly code = 'INVALID_PLATFORM';
}

/** Wrong command-line usage. */
export class UsageError extends ImagestreamsError {
  readonly code = 'USAGE';
}

/** Anything that goes wrong talking to a registry or reading an image layout. */
export class RegistryError extends ImagestreamsError {
  readonly code = 'REGISTRY';
  readonly reason: ImportReason;
  readonly status: number | undefined;
  /** How long the registry asked to wait before trying again (Retry-After on a 429), when it said. */
  readonly retryAfterMs: number | undefined;
  constructor(
    reason: ImportReason,
    message: string,
    options?: { status?: number; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, options);
    this.reason = reason;
    this.status = options?.status;
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** A location in a YAML file, 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export interface CatalogProblem {
  location: SourceLocation;
  message: string;
  /** A warning about what the API server would refuse in an exported ImageStream: `export` stops on it. */
  refusedOnExport?: true;
}

/** One or more problems found in a catalog; each carries file:line:column. */
export class CatalogError extends ImagestreamsError {
  readonly code = 'CATALOG';
  readonly problems: CatalogProblem[];
  /** What was found besides the errors that would only have been warned about. */
  readonly warnings: CatalogProblem[];
  constructor(problems: CatalogProblem[], warnings: CatalogProblem[] = []) {
    super(problems.map(formatCatalogProblem).join('\n'));
    this.problems = problems;
    this.warnings = warnings;
  }
}

export function formatCatalogProblem(problem: CatalogProblem): string {
  const { file, line, column } = problem.location;
  return `${file}:${line}:${column}: error: ${problem.message}`;
}

export function formatCatalogWarning(warning: CatalogProblem): string {
  const { file, line, column } = warning.location;
  return `${file}:${line}:${column}: warning: ${warning.message}`;
}

/** The state file cannot be read, is corrupt, or is newer than this program. */
export class StateError extends ImagestreamsError {
  readonly code = 'STATE';
}

/** Information held in a state lock file. */
export interface LockInfo {
  id: string;
  operation: string;
  who: string;
  pid: number;
  created: string;
  path?: string;
}

/** The state is locked by another process. */
export class LockError extends ImagestreamsError {
  readonly code = 'LOCKED';
  readonly info: LockInfo | undefined;
  constructor(message: string, info?: LockInfo) {
    super(message);
    this.info = info;
  }
}

/** A saved plan cannot be applied to the current state or catalog. */
export class PlanMismatchError extends ImagestreamsError {
  readonly code = 'PLAN_MISMATCH';
}

/**
 * Imports stopped by an interruption (SIGINT, SIGTERM): `done` were recorded in the state, `left` were not started
 * or were abandoned.
 */
export class InterruptedError extends ImagestreamsError {
  readonly code = 'INTERRUPTED';
  constructor(
    readonly done: readonly string[],
    readonly left: readonly string[],
  ) {
    super(`interrupted: ${done.length} done, ${left.length} left`);
  }
}

/** The user declined, or could not be asked, to confirm an apply. */
export class NotConfirmedError extends ImagestreamsError {
  readonly code = 'NOT_CONFIRMED';
}
