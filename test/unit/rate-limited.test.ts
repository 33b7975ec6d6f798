import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY } from '../../src/registry/http/retry.js';
import type { HttpResponse } from '../../src/registry/http/transport.js';
import { formatWait, rateLimitedError } from '../../src/registry/wording/answers.js';

function answer429(retryAfter?: string): HttpResponse {
  const headers = retryAfter === undefined ? {} : { 'retry-after': retryAfter };
  return { status: 429, headers, body: undefined as unknown as HttpResponse['body'] };
}

describe('a rate-limit error', () => {
  it('carries the wait a Retry-After beyond the client policy asked for, and says it', () => {
    const error = rateLimitedError('manifest quay.io/org/app:1', answer429('3600'), DEFAULT_RETRY_POLICY);
    expect(error.reason).toBe('TooManyRequests');
    expect(error.retryAfterMs).toBe(3_600_000);
    expect(error.message).toBe(
      'manifest quay.io/org/app:1: the registry is rate limiting requests (HTTP 429) and asked to retry after 1h',
    );
  });

  it('says the retries were spent when the client waited each Retry-After it got', () => {
    const error = rateLimitedError('manifest quay.io/org/app:1', answer429('5'), DEFAULT_RETRY_POLICY);
    expect(error.retryAfterMs).toBe(5_000);
    expect(error.message).toMatch(/\(HTTP 429\), retries exhausted; it asked to retry after 5s$/);
  });

  it.each([undefined, '0', 'soon'])(
    'without a usable wait (Retry-After %j) only says the retries were spent',
    (value) => {
      const error = rateLimitedError('blob x', answer429(value), DEFAULT_RETRY_POLICY);
      expect(error.message).toBe('blob x: the registry is rate limiting requests (HTTP 429), retries exhausted');
    },
  );
});

describe('formatWait', () => {
  it.each([
    [3_600_000, '1h'],
    [5_400_000, '1h30m'],
    [150_000, '2m30s'],
    [1_200, '2s'],
    [0, '0s'],
  ])('writes %i ms as %s', (ms, text) => {
    expect(formatWait(ms)).toBe(text);
  });
});
