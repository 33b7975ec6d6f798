import { describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/core/errors.js';
import type { Credential } from '../../src/credentials/types.js';
import type { Challenge } from '../../src/registry/auth/challenge.js';
import { scopeList } from '../../src/registry/auth/scopes.js';
import { CREDENTIAL_VERDICT_MS, TokenBatcher } from '../../src/registry/auth/token-batch.js';
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
function batcherOf(
  refuse: (scopes: string[]) => unknown = () => undefined,
  maxScopes?: number,
  now: () => number = Date.now,
) {
  const asked: string[][] = [];
  const fetchOne = async (request: TokenRequest): Promise<CachedToken> => {
    const scopes = scopeList(request.scope);
    asked.push(scopes);
    const refusal = refuse(scopes);
    if (refusal) throw refusal;
    return { token: `token-${asked.length}`, expiresAt: Number.MAX_SAFE_INTEGER };
  };
  return { batcher: new TokenBatcher(fetchOne, maxScopes, now), asked };
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

const refusedCredentials = () =>
  new RegistryError('Unauthorized', 'auth.example refused the credentials', { status: 401 });
/** The request with no scope that checks a credential, as `docker login` asks. */
const CHECK: string[] = [];

describe('a 401 to credentials', () => {
  it('is checked with a request naming no scope; refused again, the credentials fail every request', async () => {
    const wrong = refusedCredentials();
    const { batcher, asked } = batcherOf(() => wrong);
    const names = ['a', 'b', 'c', 'd'];
    const settled = await Promise.allSettled(names.map((name) => batcher.fetch(tokenRequest(pull(name), basic))));
    expect(settled).toEqual(Array(names.length).fill({ status: 'rejected', reason: wrong }));
    expect(asked).toEqual([names.map(pull), CHECK]);
  });

  it('fails later requests with the refused credentials without sending them, for a minute', async () => {
    let clock = 0;
    const wrong = refusedCredentials();
    const { batcher, asked } = batcherOf(
      () => wrong,
      undefined,
      () => clock,
    );
    await Promise.allSettled(['a', 'b'].map((name) => batcher.fetch(tokenRequest(pull(name), basic))));
    const later = await Promise.allSettled(['c', 'd'].map((name) => batcher.fetch(tokenRequest(pull(name), basic))));
    expect(later).toEqual(Array(2).fill({ status: 'rejected', reason: wrong }));
    expect(asked).toHaveLength(2);
    await expect(batcher.fetch(tokenRequest(pull('e')))).rejects.toBe(wrong);
    expect(asked).toHaveLength(3);
    clock += CREDENTIAL_VERDICT_MS;
    await expect(batcher.fetch(tokenRequest(pull('c'), basic))).rejects.toBe(wrong);
    expect(asked).toHaveLength(5);
  });

  it('is checked once for requests refused at the same time', async () => {
    const { batcher, asked } = batcherOf(() => refusedCredentials(), 2);
    const names = ['a', 'b', 'c', 'd', 'e'];
    await Promise.allSettled(names.map((name) => batcher.fetch(tokenRequest(pull(name), basic))));
    expect(asked.filter((scopes) => scopes.length === 0)).toHaveLength(1);
    expect(asked.filter((scopes) => scopes.length > 0)).toEqual([
      [pull('a'), pull('b')],
      [pull('c'), pull('d')],
      [pull('e')],
    ]);
  });

  it('asks each scope alone once the credentials are shown right: only the denied one fails, wherever it is', async () => {
    const denied = refusedCredentials();
    const { batcher, asked } = batcherOf((scopes) => (scopes.includes(pull('secret')) ? denied : undefined));
    const names = ['secret', 'b', 'c'];
    const [secret, b, c] = await Promise.allSettled(
      names.map((name) => batcher.fetch(tokenRequest(pull(name), basic))),
    );
    expect(asked).toEqual([names.map(pull), CHECK, [pull('secret')], [pull('b')], [pull('c')]]);
    expect(secret).toMatchObject({ status: 'rejected', reason: denied });
    expect(b).toMatchObject({ status: 'fulfilled', value: { token: 'token-4' } });
    expect(c).toMatchObject({ status: 'fulfilled', value: { token: 'token-5' } });
  });

  it('to a request naming one scope fails that request alone, the credentials checked once a minute', async () => {
    const denied = refusedCredentials();
    const { batcher, asked } = batcherOf((scopes) => (scopes.includes(pull('secret')) ? denied : undefined));
    await expect(batcher.fetch(tokenRequest(pull('secret'), basic))).rejects.toBe(denied);
    await expect(batcher.fetch(tokenRequest(pull('secret'), basic))).rejects.toBe(denied);
    await expect(batcher.fetch(tokenRequest(pull('open'), basic))).resolves.toMatchObject({ token: 'token-4' });
    expect(asked).toEqual([[pull('secret')], CHECK, [pull('secret')], [pull('open')]]);
  });

  it('fails them all as it came when the check cannot tell, and is checked again next time', async () => {
    const refused = refusedCredentials();
    const failing = new RegistryError('InternalError', 'auth.example answered HTTP 400', { status: 400 });
    const { batcher, asked } = batcherOf((scopes) => (scopes.length > 0 ? refused : failing));
    const settled = await Promise.allSettled(
      ['a', 'b', 'c'].map((name) => batcher.fetch(tokenRequest(pull(name), basic))),
    );
    expect(settled).toEqual(Array(3).fill({ status: 'rejected', reason: refused }));
    await expect(batcher.fetch(tokenRequest(pull('d'), basic))).rejects.toBe(refused);
    expect(asked).toEqual([['a', 'b', 'c'].map(pull), CHECK, [pull('d')], CHECK]);
  });

  it('holds back requests made while the credentials are checked, and fails them unsent when refused', async () => {
    const wrong = refusedCredentials();
    let answerCheck: () => void = () => {};
    const asked: string[][] = [];
    const batcher = new TokenBatcher(async (request) => {
      asked.push(scopeList(request.scope));
      if (request.scope === '') await new Promise<void>((resolve) => (answerCheck = resolve));
      throw wrong;
    });
    const first = batcher.fetch(tokenRequest(pull('a'), basic));
    while (asked.length < 2) await new Promise((resolve) => setImmediate(resolve));
    const during = batcher.fetch(tokenRequest(pull('b'), basic));
    await new Promise((resolve) => setImmediate(resolve));
    answerCheck();
    await expect(first).rejects.toBe(wrong);
    await expect(during).rejects.toBe(wrong);
    expect(asked).toEqual([[pull('a')], CHECK]);
  });

  it('refuses a request asked for alone, after the registry refused a joined token, as any other', async () => {
    const wrong = refusedCredentials();
    const { batcher, asked } = batcherOf(() => wrong);
    await expect(batcher.fetch(tokenRequest(pull('a'), basic), false)).rejects.toBe(wrong);
    await expect(batcher.fetch(tokenRequest(pull('b'), basic), false)).rejects.toBe(wrong);
    expect(asked).toEqual([[pull('a')], CHECK]);
  });

  it('leads to at most one request per scope after the check, however the answers alternate', async () => {
    let answers = 0;
    const { batcher, asked } = batcherOf(() => (answers++ % 2 === 0 ? refusedCredentials() : undefined));
    const names = ['a', 'b', 'c', 'd'];
    const settled = await Promise.allSettled(names.map((name) => batcher.fetch(tokenRequest(pull(name), basic))));
    expect(asked).toEqual([names.map(pull), CHECK, ...names.map((name) => [pull(name)])]);
    expect(settled.map((result) => result.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'fulfilled']);
  });
});

describe('a token server that refuses a request for several scopes', () => {
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
