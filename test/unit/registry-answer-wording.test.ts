import { describe, expect, it } from 'vitest';
import type { FoundCredential } from '../../src/credentials/types.js';
import { RegistryText } from '../../src/registry/http/registry-text.js';
import { DEFAULT_RETRY_POLICY } from '../../src/registry/http/retry.js';
import { type AnswerContext, statusError } from '../../src/registry/wording/answers.js';
import { answer } from './fake-http.js';

const WHAT = 'manifest registry.example/team/app:1.0';
const found: FoundCredential = {
  credential: { kind: 'basic', username: 'ci', password: 'hunter2-long' },
  source: 'auth.json',
};

/** What a client of registry.example knows: whether it was challenged, its credential and the sources looked in. */
function context(options: { challenged?: boolean; credential?: FoundCredential; sources?: string[] } = {}) {
  const text = new RegistryText();
  const answers: AnswerContext = {
    registry: 'registry.example',
    text,
    retry: DEFAULT_RETRY_POLICY,
    credential: async () => {
      if (options.credential) text.remember(options.credential.credential);
      return options.credential;
    },
    sources: async () => options.sources ?? [],
    challenged: async () => options.challenged ?? true,
  };
  return answers;
}

const errorBody = (code: string, message: string) => ({ errors: [{ code, message }] });

describe('the error for a refused request', () => {
  it('401 with credentials: Unauthorized, naming where they came from', async () => {
    const error = await statusError(answer(401), WHAT, 'team/app', context({ credential: found }));
    expect([error.reason, error.message]).toEqual([
      'Unauthorized',
      `authentication failed for ${WHAT}: the credentials for registry.example from auth.json were refused`,
    ]);
  });

  it('401 without credentials: Unauthorized, naming the sources looked in', async () => {
    const error = await statusError(answer(401), WHAT, 'team/app', context({ sources: ['a.json', 'b.json'] }));
    expect(error.message).toBe(
      `authentication required for ${WHAT}: no credentials found for registry.example (looked in: a.json, b.json)`,
    );
  });

  it('403: Forbidden, with the registry words scrubbed, and the credentials used', async () => {
    const body = errorBody('DENIED', 'no access for ci:hunter2-long');
    const error = await statusError(answer(403, {}, body), WHAT, 'team/app', context({ credential: found }));
    expect([error.reason, error.message]).toEqual([
      'Forbidden',
      `access to ${WHAT} is denied (HTTP 403): no access for [redacted]; credentials used: those for registry.example from auth.json`,
    ]);
  });

  it('403 from a registry that asked for no authentication says none were used', async () => {
    const error = await statusError(answer(403), WHAT, 'team/app', context({ challenged: false }));
    expect(error.message).toBe(
      `access to ${WHAT} is denied (HTTP 403); credentials used: none (the registry asked for none)`,
    );
  });

  it.each([
    ['NAME_UNKNOWN', `${WHAT} not found: repository registry.example/team/app does not exist`],
    ['MANIFEST_UNKNOWN', `${WHAT} not found: no such manifest`],
    ['BLOB_UNKNOWN', `${WHAT} not found: the repository has no such blob`],
    ['OTHER', `${WHAT} not found (HTTP 404)`],
  ])('404 %s: NotFound, as the error code says', async (code, message) => {
    const error = await statusError(answer(404, {}, errorBody(code, 'x')), WHAT, 'team/app', context());
    expect([error.reason, error.message]).toEqual(['NotFound', message]);
  });

  it('429: TooManyRequests, carrying the wait asked for', async () => {
    const error = await statusError(answer(429, { 'retry-after': '120' }), WHAT, 'team/app', context());
    expect([error.reason, error.retryAfterMs]).toEqual(['TooManyRequests', 120_000]);
  });

  it('anything else: InternalError with the status and the registry words', async () => {
    const error = await statusError(answer(500, {}, errorBody('UNKNOWN', 'disk\nfull')), WHAT, 'team/app', context());
    expect([error.reason, error.message, error.status]).toEqual([
      'InternalError',
      `${WHAT}: the registry answered HTTP 500: disk full`,
      500,
    ]);
  });
});
