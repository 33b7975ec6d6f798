import { describe, expect, it } from 'vitest';
import type { Credential } from '../../src/credentials/types.js';
import { Authenticator } from '../../src/registry/auth/authenticator.js';
import type { Challenge } from '../../src/registry/auth/challenge.js';
import type { Endpoint } from '../../src/registry/auth/endpoint.js';
import { RepositoryCredentials } from '../../src/registry/auth/repository-credentials.js';
import { RegistryText } from '../../src/registry/http/registry-text.js';
import type { HttpRequest } from '../../src/registry/http/transport.js';
import { answer, BEARER_CHALLENGE } from './fake-http.js';

const bearer: Challenge = { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry' } };
const PUSH = 'repository:team/app:pull,push';

/**
 * An authenticator of registry.example, pinged with `challenge`, holding `credential` for every repository; its token
 * server issues `token-1`, `token-2`, … and `tokenRequests` lists the token URLs asked for.
 */
function authenticator(challenge: Challenge | undefined, credential?: Credential) {
  const text = new RegistryText();
  const endpoint: Endpoint = { base: new URL('https://registry.example/'), challenge };
  const fakeEndpoint = { get: async () => endpoint, scheme: async () => 'https' as const };
  const provider = { find: async () => credential && { credential, source: 'auth.json' } };
  const credentials = new RepositoryCredentials('registry.example', provider, fakeEndpoint.scheme, text);
  const tokenRequests: URL[] = [];
  const send = async (req: HttpRequest) => {
    tokenRequests.push(req.url);
    return answer(200, {}, { token: `token-${tokenRequests.length}`, expires_in: 300 });
  };
  const options = { registry: 'registry.example', apiHost: 'registry.example', insecure: false, userAgent: 'test' };
  const auth = new Authenticator({
    ...options,
    text,
    endpoint: fakeEndpoint,
    credentials,
    send,
  });
  return { auth, endpoint, tokenRequests };
}

const basic: Credential = { kind: 'basic', username: 'ci', password: 'hunter2-long' };

describe('the Authorization of a request', () => {
  it('is none when the registry asked for none', async () => {
    expect(await authenticator(undefined, basic).auth.authorization('team/app', PUSH)).toBeUndefined();
  });

  it('is Basic for a Basic challenge, and none without a username and password', async () => {
    const challenge = { scheme: 'basic', params: { realm: 'r' } };
    expect(await authenticator(challenge, basic).auth.authorization('team/app', PUSH)).toBe(
      `Basic ${Buffer.from('ci:hunter2-long').toString('base64')}`,
    );
    expect(await authenticator(challenge).auth.authorization('team/app', PUSH)).toBeUndefined();
  });

  it('is a Bearer token from the token server, fetched once per scope', async () => {
    const { auth, tokenRequests } = authenticator(bearer, basic);
    expect(await auth.authorization('team/app', PUSH)).toBe('Bearer token-1');
    expect(await auth.authorization('team/app', PUSH)).toBe('Bearer token-1');
    expect(tokenRequests).toHaveLength(1);
  });

  it('is a registry token as it is, without the token server', async () => {
    const { auth, tokenRequests } = authenticator(bearer, { kind: 'registryToken', token: 'reg-token-42' });
    expect(await auth.authorization('team/app', PUSH)).toBe('Bearer reg-token-42');
    expect(tokenRequests).toEqual([]);
  });

  it('refuses a registry token a header cannot carry at every request, not only the first', async () => {
    const { auth } = authenticator(bearer, { kind: 'registryToken', token: 'reg token 42' });
    for (let request = 0; request < 2; request++) {
      await expect(auth.authorization('team/app', PUSH)).rejects.toThrow(/registry token/i);
    }
  });

  it('asks the token server for every scope of a merged scope: push and pull, and pull on a mount source', async () => {
    const { auth, tokenRequests } = authenticator(bearer);
    await auth.authorization('team/app', `${PUSH} repository:base/os:pull`);
    expect(tokenRequests[0]?.searchParams.getAll('scope')).toEqual([PUSH, 'repository:base/os:pull']);
  });
});

describe('the Authorizations of requests made together', () => {
  it('share one token request naming every repository', async () => {
    const { auth, tokenRequests } = authenticator(bearer, basic);
    const headers = await Promise.all(
      ['team/a', 'team/b'].map((repo) => auth.authorization(repo, `repository:${repo}:pull`)),
    );
    expect(headers).toEqual(['Bearer token-1', 'Bearer token-1']);
    expect(tokenRequests.map((url) => url.searchParams.getAll('scope'))).toEqual([
      ['repository:team/a:pull', 'repository:team/b:pull'],
    ]);
  });

  it('ask alone after a 401, which may mean the shared token lacked the scope', async () => {
    const { auth, tokenRequests } = authenticator(bearer, basic);
    const scopes = ['team/a', 'team/b'].map((repo) => `repository:${repo}:pull`);
    await Promise.all(['team/a', 'team/b'].map((repo, i) => auth.authorization(repo, scopes[i]!)));
    await Promise.all(['team/a', 'team/b'].map((repo, i) => auth.reauthorize(repo, answer(401), scopes[i]!)));
    expect(tokenRequests.slice(1).map((url) => url.searchParams.getAll('scope'))).toEqual([[scopes[0]], [scopes[1]]]);
  });
});

describe('a fresh Authorization after a 401', () => {
  it('asks for the scope of an insufficient_scope challenge, not the cached token', async () => {
    const { auth, tokenRequests } = authenticator(bearer, basic);
    await auth.authorization('team/app', 'repository:team/app:pull');
    const challenge = `${BEARER_CHALLENGE.replace(/scope="[^"]*"/, `scope="${PUSH}"`)},error="insufficient_scope"`;
    const fresh = await auth.reauthorize('team/app', answer(401, { 'www-authenticate': challenge }), 'x');
    expect(fresh).toBe('Bearer token-2');
    expect(tokenRequests[1]?.searchParams.getAll('scope')).toEqual([PUSH]);
  });

  it('replaces the token of the same scope rather than reuse it', async () => {
    const { auth } = authenticator(bearer, basic);
    await auth.authorization('team/app', PUSH);
    expect(await auth.reauthorize('team/app', answer(401), PUSH)).toBe('Bearer token-2');
  });

  it('is the header of the requests after it, in place of the refused one', async () => {
    const { auth } = authenticator(bearer, basic);
    expect(await auth.authorization('team/app', PUSH)).toBe('Bearer token-1');
    await auth.reauthorize('team/app', answer(401), PUSH);
    expect(await auth.authorization('team/app', PUSH)).toBe('Bearer token-2');
    expect(await auth.authorization('team/app', PUSH)).toBe('Bearer token-2');
  });

  it('takes the challenge a registry that pinged anonymously gives per repository, and keeps it', async () => {
    const { auth, endpoint } = authenticator(undefined, basic);
    const fresh = await auth.reauthorize('team/app', answer(401, { 'www-authenticate': 'Basic realm="r"' }), PUSH);
    expect(fresh).toMatch(/^Basic /);
    expect(endpoint.challenge?.scheme).toBe('basic');
  });

  it('is none for a registry token, which cannot be renewed', async () => {
    const { auth } = authenticator(bearer, { kind: 'registryToken', token: 'reg-token-42' });
    expect(await auth.reauthorize('team/app', answer(401), PUSH)).toBeUndefined();
  });

  it('is none when nobody asked for authentication', async () => {
    expect(await authenticator(undefined).auth.reauthorize('team/app', answer(401), PUSH)).toBeUndefined();
  });
});
