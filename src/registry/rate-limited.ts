import { durationText } from '../core/duration-text.js';
import { RegistryError } from '../core/errors.js';
import { parseRetryAfter, type RetryPolicy } from './http/retry.js';
import { type HttpResponse, headerValue } from './http/transport.js';

/**
 * The TooManyRequests error for a 429 the client stopped retrying: `what` names the request. It carries the wait
 * the registry asked for, and says it: beyond the policy's longest Retry-After nothing was retried.
 */
export function rateLimitedError(what: string, res: HttpResponse, policy: RetryPolicy): RegistryError {
  const retryAfterMs = parseRetryAfter(headerValue(res.headers, 'retry-after'));
  const options = { status: res.status, ...(retryAfterMs !== undefined && { retryAfterMs }) };
  const base = `${what}: the registry is rate limiting requests (HTTP 429)`;
  if (!retryAfterMs) return new RegistryError('TooManyRequests', `${base}, retries exhausted`, options);
  const wait = formatWait(retryAfterMs);
  const message =
    retryAfterMs > policy.maxRetryAfterMs
      ? `${base} and asked to retry after ${wait}`
      : `${base}, retries exhausted; it asked to retry after ${wait}`;
  return new RegistryError('TooManyRequests', message, options);
}

/** `1h`, `2m30s`, `45s`: a wait in whole seconds (rounded up), as durations are written in the catalog. */
export function formatWait(ms: number): string {
  return durationText(Math.ceil(ms / 1000));
}
