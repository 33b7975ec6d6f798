import { durationText } from '../../core/duration-text.js';
import { RegistryError } from '../../core/errors.js';
import type { FoundCredential } from '../../credentials/types.js';
import { readUpTo } from '../body.js';
import type { RegistryText } from '../http/registry-text.js';
import { parseRetryAfter, type RetryPolicy } from '../http/retry.js';
import { type HttpResponse, headerValue } from '../http/transport.js';

/**
 * registry/wording/ holds every message the client makes about a request: this file words a registry's refusals,
 * auth.ts its challenges and token server, redirects.ts the redirects and requests refused, network.ts the failures
 * below HTTP and reads.ts interrupted reads. Whatever text a registry sent passes through the scrubber (RegistryText)
 * before it is shown.
 */

/** What the wording of a refused request needs to know of the client that sent it. */
export interface AnswerContext {
  /** The registry as written in references. */
  registry: string;
  text: RegistryText;
  retry: RetryPolicy;
  /** The credential found for a repository (its source is named, never its secret). */
  credential(repository: string): Promise<FoundCredential | undefined>;
  /** The credential sources consulted for a repository. */
  sources(repository: string): Promise<string[]>;
  /** Whether the registry asked for authentication when pinged. */
  challenged(): Promise<boolean>;
}

const MAX_ERROR_BODY = 64 * 1024;

/** The RegistryError for a non-success answer to a request about `what` (e.g. `manifest quay.io/a/b:1`). */
export async function statusError(
  res: HttpResponse,
  what: string,
  repository: string,
  context: AnswerContext,
): Promise<RegistryError> {
  const body = res.status >= 400 ? await readErrorBody(res) : undefined;
  // Whatever credential this repository may use is scrubbed from the registry's words, even if none was sent.
  await context.credential(repository).catch(() => undefined);
  const status = res.status;
  if (status === 401) {
    return new RegistryError('Unauthorized', await unauthorizedMessage(what, repository, context), { status });
  }
  if (status === 403) {
    return new RegistryError('Forbidden', await forbiddenMessage(what, repository, body, context), { status });
  }
  if (status === 404) {
    const message = notFoundMessage(what, `${context.registry}/${repository}`, registryErrorCodes(body));
    return new RegistryError('NotFound', message, { status });
  }
  if (status === 429) return rateLimitedError(what, res, context.retry);
  const answered = `${what}: the registry answered HTTP ${status}${detail(body, context.text)}`;
  return new RegistryError('InternalError', answered, { status });
}

async function unauthorizedMessage(what: string, repository: string, context: AnswerContext): Promise<string> {
  const found = await context.credential(repository);
  if (found)
    return `authentication failed for ${what}: the credentials for ${context.registry} from ${found.source} were refused`;
  return `authentication required for ${what}: no credentials found for ${context.registry}${await lookedIn(repository, context)}`;
}

/** Says which credentials the denied request carried (where they came from, never the secret), or that none. */
async function forbiddenMessage(
  what: string,
  repository: string,
  body: string | undefined,
  context: AnswerContext,
): Promise<string> {
  const denied = `access to ${what} is denied (HTTP 403)${detail(body, context.text)}; credentials used:`;
  if (!(await context.challenged())) return `${denied} none (the registry asked for none)`;
  const found = await context.credential(repository);
  if (found) return `${denied} those for ${context.registry} from ${found.source}`;
  return `${denied} none: no credentials found for ${context.registry}${await lookedIn(repository, context)}`;
}

function notFoundMessage(what: string, repository: string, codes: string[]): string {
  if (codes.includes('NAME_UNKNOWN')) return `${what} not found: repository ${repository} does not exist`;
  if (codes.includes('MANIFEST_UNKNOWN')) return `${what} not found: no such manifest`;
  if (codes.includes('BLOB_UNKNOWN')) return `${what} not found: the repository has no such blob`;
  return `${what} not found (HTTP 404)`;
}

/** ` (looked in: A, B)`: the credential sources consulted for `repository`; empty when there are none. */
async function lookedIn(repository: string, context: AnswerContext): Promise<string> {
  const sources = await context.sources(repository);
  return sources.length > 0 ? ` (looked in: ${sources.join(', ')})` : '';
}

/** `: MESSAGE`, the registry's own words for an error (its first `errors[].message`), scrubbed; or nothing. */
function detail(body: string | undefined, text: RegistryText): string {
  const message = errorBody(body)?.errors?.[0]?.message;
  return typeof message === 'string' && message ? `: ${text.show(message)}` : '';
}

function registryErrorCodes(body: string | undefined): string[] {
  try {
    return (errorBody(body)?.errors ?? []).map((e) => String(e.code ?? ''));
  } catch {
    return [];
  }
}

/** A distribution error body (`{"errors": [{"code", "message"}]}`), when the body is JSON. */
function errorBody(body: string | undefined): { errors?: { code?: unknown; message?: unknown }[] } | undefined {
  if (!body) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

async function readErrorBody(res: HttpResponse): Promise<string | undefined> {
  try {
    return Buffer.from(await readUpTo(res, MAX_ERROR_BODY, 'error body')).toString('utf8');
  } catch {
    return undefined;
  }
}
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
  return durationText(ms, { round: 'up' });
}
/** The error for an answer to `GET /v2/` that is neither 200 nor 401. */
export function pingError(res: HttpResponse, registry: string, policy: RetryPolicy): RegistryError {
  const status = res.status;
  if (status === 404) {
    return new RegistryError('NotFound', `${registry} does not serve the registry API (GET /v2/ answered 404)`, {
      status,
    });
  }
  if (status === 429) return rateLimitedError(`registry ${registry}`, res, policy);
  return new RegistryError('InternalError', `registry ${registry} answered HTTP ${status} to GET /v2/`, { status });
}
