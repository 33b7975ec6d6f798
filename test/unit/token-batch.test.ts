import { describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/core/errors.js';
import type { Credential } from '../../src/credentials/types.js';
import type { Challenge } from '../../src/registry/auth/challenge.js';
import { scopeList } from '../../src/registry/auth/scopes.js';
import { TokenBatcher } from '../../src/registry/auth/token-batch.js';
import type { CachedToken } from '../../src/registry/auth/token-cache.js';
import type { TokenRequest } from '../../src/registry/auth/token-fetch.js';
import { RegistryText } from '../../src/registry/http/registry-text.js';

const challenge: Challenge = { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry' } };
const basic: Credential = { kind: 'basic', username: 'ci', password: 'hunter2-long' };
const pull = (repository: string) => `repository:${repository}:pull`;

function tokenRequest(scope: string, credential?: Credential, params = challenge.params): TokenRequest {
  return {
    challenge: { ...challenge, params },
    scope,
    found: credential && { credential, source: 'auth.json' },
    registry: 'registry.example',
    allowPlainHttp: false,
    text: new RegistryText(),
  };
}

/**
 * A batcher whose token server issues `token-1`, `token-2`, … and records the scopes of each request; `refuse`
 * decides which requests it refuses, and with what.
 */
function batcherOf(refuse: (scopes: string[]) => unknown = () => undefined, maxScopes?: number) {
  const asked: string[][] = [];
  const fetchOne = async (request: TokenRequest): Promise<CachedToken> => {
    const scopes = scopeList(request.scope);
    asked.push(scopes);
    const refusal = refuse(scopes);
    if (refusal) throw refusal;
    return { token: `token-${asked.length}`, expiresAt: Number.MAX_SAFE_INTEGER };
  };
  return { batcher: new TokenBatcher(fetchOne, maxScopes), asked };
}

const tokensOf = (results: CachedToken[]) => results.map((result) => result.token);

describe('token requests made together', () => {
  it('become one request for all their scopes, each answered with its token', async () => {
    const { batcher, asked } = batcherOf();
    const results = await Promise.all(['a', 'b', 'c'].map((name) => batcher.fetch(tokenRequest(pull(name), basic))));
    expect(asked).toEqual([[pull('a'), pull('b'), pull('c')]]);
    expect(tokensOf(results)).toEqual(['token-1', 'token-1', 'token-1']);
  });

  it('ask for a scope once when two of them share it, and keep a merged scope whole', async () => {
    const { batcher, asked } = batcherOf();
    const merged = `repository:team/app:pull,push ${pull('base/os')}`;
    await Promise.all([merged, pull('base/os')].map((scope) => batcher.fetch(tokenRequest(scope))));
    expect(asked).toEqual([['repository:team/app:pull,push', pull('base/os')]]);
  });

  it('stay apart for another realm, service or credential', async () => {
    const { batcher, asked } = batcherOf();
    const otherService = { ...challenge.params, service: 'other' };
    const otherRealm = { ...challenge.params, realm: 'https://auth2.example/token' };
    const otherUser: Credential = { ...basic, username: 'ops' };
    await Promise.all([
      batcher.fetch(tokenRequest(pull('a'), basic)),
      batcher.fetch(tokenRequest(pull('b'), basic, otherService)),
      batcher.fetch(tokenRequest(pull('c'), basic, otherRealm)),
      batcher.fetch(tokenRequest(pull('d'), otherUser)),
      batcher.fetch(tokenRequest(pull('e'))),
    ]);
    expect(asked).toHaveLength(5);
  });

  it('stay apart for credentials found in different places, or whose fields only join alike', async () => {
    const { batcher, asked } = batcherOf();
    const elsewhere = { ...tokenRequest(pull('b'), basic), found: { credential: basic, source: 'pull-secret.json' } };
    const shifted: Credential = { kind: 'basic', username: 'ci\u0000hunter2', password: 'long' };
    const shiftedBack: Credential = { kind: 'basic', username: 'ci', password: 'hunter2\u0000long' };
    await Promise.all([
      batcher.fetch(tokenRequest(pull('a'), basic)),
      batcher.fetch(elsewhere),
      batcher.fetch(tokenRequest(pull('c'), shifted)),
      batcher.fetch(tokenRequest(pull('d'), shiftedBack)),
    ]);
    expect(asked).toHaveLength(4);
  });

  it('are all answered when the fetch throws instead of rejecting, whether sent at the end of the turn or when full', async () => {
    const thrown = new RegistryError('InternalError', 'no token server');
    const batcher = new TokenBatcher(() => {
      throw thrown;
    }, 2);
    const settled = await Promise.allSettled(['a', 'b', 'c'].map((name) => batcher.fetch(tokenRequest(pull(name)))));
    expect(settled).toEqual(Array(3).fill({ status: 'rejected', reason: thrown }));
  });

  it('are asked for separately when made in different turns of the event loop', async () => {
    const { batcher, asked } = batcherOf();
    await batcher.fetch(tokenRequest(pull('a')));
    await batcher.fetch(tokenRequest(pull('b')));
    expect(asked).toEqual([[pull('a')], [pull('b')]]);
  });

  it('ask for at most the limit of scopes at a time', async () => {
    const { batcher, asked } = batcherOf(undefined, 2);
    const names = ['a', 'b', 'c', 'd', 'e'];
    const results = await Promise.all(names.map((name) => batcher.fetch(tokenRequest(pull(name)))));
    expect(asked).toEqual([[pull('a'), pull('b')], [pull('c'), pull('d')], [pull('e')]]);
    expect(new Set(tokensOf(results)).size).toBe(3);
  });
});

describe('a token server that refuses a request for several scopes', () => {
  it('is sent the credentials once more, for one scope, after a 401, and fails them all when that is refused too', async () => {
    const wrong = new RegistryError('Unauthorized', 'auth.example refused the credentials', { status: 401 });
    const { batcher, asked } = batcherOf(() => wrong);
    const names = ['a', 'b', 'c', 'd'];
    const settled = await Promise.allSettled(names.map((name) => batcher.fetch(tokenRequest(pull(name), basic))));
    expect(settled).toEqual(Array(names.length).fill({ status: 'rejected', reason: wrong }));
    expect(asked).toEqual([names.map(pull), [pull('a')]]);
  });

  it('is not sent the credentials again after a 401 to a request naming one scope, however many asked for it', async () => {
    const wrong = new RegistryError('Unauthorized', 'auth.example refused the credentials', { status: 401 });
    const { batcher, asked } = batcherOf(() => wrong);
    const settled = await Promise.allSettled([1, 2].map(() => batcher.fetch(tokenRequest(pull('a'), basic))));
    expect(settled).toEqual(Array(2).fill({ status: 'rejected', reason: wrong }));
    expect(asked).toEqual([[pull('a')]]);
  });

  it('asks each scope alone after a 401 to credentials that one scope asked alone shows right (one scope denied)', async () => {
    const denied = new RegistryError('Unauthorized', 'auth.example refused the credentials', { status: 401 });
    const { batcher, asked } = batcherOf((scopes) => (scopes.includes(pull('secret')) ? denied : undefined));
    const names = ['a', 'secret', 'c'];
    const [a, secret, c] = await Promise.allSettled(
      names.map((name) => batcher.fetch(tokenRequest(pull(name), basic))),
    );
    expect(asked).toEqual([names.map(pull), [pull('a')], [pull('secret')], [pull('c')]]);
    expect(a).toMatchObject({ status: 'fulfilled', value: { token: 'token-2' } });
    expect(secret).toMatchObject({ status: 'rejected', reason: denied });
    expect(c).toMatchObject({ status: 'fulfilled', value: { token: 'token-4' } });
  });

  it('checks the credentials with a request naming one scope, not one that names several', async () => {
    const denied = new RegistryError('Unauthorized', 'auth.example refused the credentials', { status: 401 });
    const { batcher, asked } = batcherOf((scopes) => (scopes.includes(pull('base')) ? denied : undefined));
    const mount = `repository:app:pull,push ${pull('base')}`;
    const [mounted, plain] = await Promise.allSettled(
      [mount, pull('other')].map((scope) => batcher.fetch(tokenRequest(scope, basic))),
    );
    expect(asked.slice(1)).toEqual([[pull('other')], scopeList(mount)]);
    expect(plain).toMatchObject({ status: 'fulfilled', value: { token: 'token-2' } });
    expect(mounted).toMatchObject({ status: 'rejected', reason: denied });
  });

  it('is asked at most once more per scope after a 401 to credentials, however its answers alternate', async () => {
    const refused = new RegistryError('Unauthorized', 'auth.example refused the credentials', { status: 401 });
    let answers = 0;
    const { batcher, asked } = batcherOf(() => (answers++ % 2 === 0 ? refused : undefined));
    const names = ['a', 'b', 'c', 'd', 'e'];
    const settled = await Promise.allSettled(names.map((name) => batcher.fetch(tokenRequest(pull(name), basic))));
    expect(asked).toEqual([names.map(pull), ...names.map((name) => [pull(name)])]);
    expect(settled.map((result) => result.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
  });

  it('is not asked the other scopes when it fails the one asked alone after a 401 to credentials', async () => {
    const refused = new RegistryError('Unauthorized', 'auth.example refused the credentials', { status: 401 });
    const failing = new RegistryError('InternalError', 'auth.example answered HTTP 503', { status: 503 });
    const { batcher, asked } = batcherOf((scopes) => (scopes.length > 1 ? refused : failing));
    const settled = await Promise.allSettled(
      ['a', 'b', 'c'].map((name) => batcher.fetch(tokenRequest(pull(name), basic))),
    );
    expect(settled).toEqual(Array(3).fill({ status: 'rejected', reason: failing }));
    expect(asked).toHaveLength(2);
  });

  it('is asked again one scope at a time after a 401 to an anonymous request, which one private repository causes', async () => {
    const login = new RegistryError('Unauthorized', 'auth.example refused anonymous access', { status: 401 });
    const { batcher, asked } = batcherOf((scopes) => (scopes.includes(pull('private')) ? login : undefined));
    const [open, secret] = await Promise.allSettled(
      ['open', 'private'].map((name) => batcher.fetch(tokenRequest(pull(name)))),
    );
    expect(open).toMatchObject({ status: 'fulfilled', value: { token: 'token-2' } });
    expect(secret).toMatchObject({ status: 'rejected', reason: login });
    expect(asked).toHaveLength(3);
  });

  it('is asked again one scope at a time when it answered with a refusal', async () => {
    const refusal = new RegistryError('InternalError', 'auth.example answered HTTP 400', { status: 400 });
    const { batcher, asked } = batcherOf((scopes) => (scopes.length > 1 ? refusal : undefined));
    const results = await Promise.all(['a', 'b'].map((name) => batcher.fetch(tokenRequest(pull(name), basic))));
    expect(asked).toEqual([[pull('a'), pull('b')], [pull('a')], [pull('b')]]);
    expect(tokensOf(results)).toEqual(['token-2', 'token-3']);
  });

  it('gives each request its own answer when asked one scope at a time', async () => {
    const denied = new RegistryError('Forbidden', 'auth.example refused the credentials', { status: 403 });
    const { batcher } = batcherOf((scopes) => (scopes.includes(pull('secret')) ? denied : undefined));
    const [open, secret] = await Promise.allSettled(
      ['open', 'secret'].map((name) => batcher.fetch(tokenRequest(pull(name), basic))),
    );
    expect(open).toMatchObject({ status: 'fulfilled', value: { token: 'token-2' } });
    expect(secret).toMatchObject({ status: 'rejected', reason: denied });
  });

  it('is not asked again when it could not be reached, failed or limits the rate', async () => {
    const failures = [
      new RegistryError('InternalError', 'connection refused'),
      new RegistryError('InternalError', 'auth.example answered HTTP 503', { status: 503 }),
      new RegistryError('InternalError', 'auth.example asked to slow down', { status: 429 }),
    ];
    for (const failure of failures) {
      const { batcher, asked } = batcherOf(() => failure);
      const settled = await Promise.allSettled(['a', 'b'].map((name) => batcher.fetch(tokenRequest(pull(name)))));
      expect(settled.map((result) => result.status)).toEqual(['rejected', 'rejected']);
      expect(asked).toHaveLength(1);
    }
  });
});
