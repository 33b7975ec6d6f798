import { Readable } from 'node:stream';
import { drain } from '../body.js';
import { errorCode } from './error-code.js';
import { type Exchange, type HttpResponse, headerValue } from './transport.js';

/** How failed requests are retried: bounded exponential backoff with full jitter, honouring Retry-After. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the request fails at once with TooManyRequests, carrying it. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 4,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

const RETRYABLE_ERROR_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  // An HTTP/2 connection closed or a stream reset (a GOAWAY, REFUSED_STREAM) under a request.
  'UND_ERR_INFO',
  'ERR_HTTP2_STREAM_ERROR',
  'ERR_HTTP2_SESSION_ERROR',
  'ERR_HTTP2_GOAWAY_SESSION',
  'ERR_HTTP2_INVALID_SESSION',
]);

/**
 * A connection that could not be set up in time is tried once more, not `maxRetries` times: a registry that accepts
 * connections and never completes TLS would otherwise hold each request for several connect timeouts.
 */
export const MAX_CONNECT_TIMEOUT_RETRIES = 1;

/** Connection resets and timeouts are worth another try; refused connections and DNS failures are not. */
export function isRetryableError(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && RETRYABLE_ERROR_CODES.has(code);
}

/** Milliseconds to wait, from a `Retry-After` header (seconds or HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Delay before retry number `attempt` (0-based): Retry-After when the server gave one, else capped exponential with jitter. */
export function retryDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  policy: RetryPolicy,
  random = Math.random,
): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * `send` retried on 408/429/5xx and on connection resets and timeouts, as `policy` says. A stream body is sent once;
 * an answer asking to wait longer than the policy's longest Retry-After is returned at once.
 */
export function withRetries(
  send: Exchange,
  policy: RetryPolicy,
  wait: (ms: number) => Promise<void> = sleep,
): Exchange {
  return async (req, peer) => {
    const retries = req.body instanceof Readable ? 0 : policy.maxRetries;
    let connectTimeouts = 0;
    for (let attempt = 0; ; attempt++) {
      let res: HttpResponse;
      try {
        res = await send(req, peer);
      } catch (error) {
        if (attempt >= retries || !isRetryableError(error)) throw error;
        if (errorCode(error) === 'UND_ERR_CONNECT_TIMEOUT' && ++connectTimeouts > MAX_CONNECT_TIMEOUT_RETRIES) {
          throw error;
        }
        await wait(retryDelay(attempt, undefined, policy));
        continue;
      }
      if (!isRetryableStatus(res.status) || attempt >= retries) return res;
      const retryAfter = parseRetryAfter(headerValue(res.headers, 'retry-after'));
      if (retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs) return res;
      await drain(res);
      await wait(retryDelay(attempt, retryAfter, policy));
    }
  };
}
