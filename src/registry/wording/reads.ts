import { RegistryError } from '../../core/errors.js';
import { errorCode } from '../http/error-code.js';

/** A failure while reading a blob or manifest, as a RegistryError naming it (one that already is passes unchanged). */
export function interruptedRead(error: unknown, what: string): RegistryError {
  if (error instanceof RegistryError) return error;
  const code = errorCode(error) ?? (error as Error)?.message ?? 'error';
  return new RegistryError('Unreachable', `${what}: reading it was interrupted (${code})`, { cause: error });
}

/**
 * A failure to fetch `what`, named in the message when it is not already (`cannot reach registry …` says which
 * registry, not which blob); any other error passes unchanged.
 */
export function aboutSubject(error: unknown, what: string, subject: string): unknown {
  if (!(error instanceof RegistryError) || error.message.includes(subject)) return error;
  return new RegistryError(error.reason, `${what}: ${error.message}`, {
    cause: error,
    ...(error.status !== undefined && { status: error.status }),
    ...(error.retryAfterMs !== undefined && { retryAfterMs: error.retryAfterMs }),
  });
}
