import { describe, expect, it } from 'vitest';
import type { Challenge } from '../../src/registry/auth/challenge.js';
import { type CachedToken, TokenCache } from '../../src/registry/auth/token-cache.js';
import { fetchToken, type TokenRequest } from '../../src/registry/auth/token-fetch.js';
import { RegistryText } from '../../src/registry/http/registry-text.js';
import { answer } from './fake-http.js';

const challenge: Challenge = { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry' } };
const PULL = 'repository:team/app:pull';

/** A cache on a clock that moves only when told, and a fetch that issues `token-1`, `token-2`, … for `lifetimeMs`. */
function cacheAt(lifetimeMs = 60_000) {
  let now = 0;
  let issued = 0;
  const cache = new TokenCache(() => now);
  const fetch = async (): Promise<CachedToken> => ({ token: `token-${++issued}`, expiresAt: now + lifetimeMs });
  return { cache, fetch, advance: (ms: number) => (now += ms), issued: () => issued };
}

describe('TokenCache', () => {
  it('keeps a token for its realm, service and scope', async () => {
    const { cache, fetch } = cacheAt();
    expect(await cache.get(challenge, PULL, fetch)).toBe('token-1');
    expect(await cache.get(challenge, PULL, fetch)).toBe('token-1');
  });

  it('fetches another token for another scope, service or realm', async () => {
    const { cache, fetch } = cacheAt();
    await cache.get(challenge, PULL, fetch);
    expect(await cache.get(challenge, 'repository:team/app:pull,push', fetch)).toBe('token-2');
    const otherService = { ...challenge, params: { ...challenge.params, service: 'other' } };
    expect(await cache.get(otherService, PULL, fetch)).toBe('token-3');
    const otherRealm = { ...challenge, params: { ...challenge.params, realm: 'https://auth2.example/token' } };
    expect(await cache.get(otherRealm, PULL, fetch)).toBe('token-4');
  });

  it('shares one fetch between concurrent requests', async () => {
    const { cache, fetch, issued } = cacheAt();
    const tokens = await Promise.all([1, 2, 3].map(() => cache.get(challenge, PULL, fetch)));
    expect(tokens).toEqual(['token-1', 'token-1', 'token-1']);
    expect(issued()).toBe(1);
  });

  it('fetches a new token once the cached one expires', async () => {
    const { cache, fetch, advance } = cacheAt(60_000);
    await cache.get(challenge, PULL, fetch);
    advance(59_999);
    expect(await cache.get(challenge, PULL, fetch)).toBe('token-1');
    advance(1);
    expect(await cache.get(challenge, PULL, fetch)).toBe('token-2');
  });

  it("gives the Authorization header of the token, a new token's once it expires or is invalidated", async () => {
    const { cache, fetch, advance } = cacheAt(60_000);
    expect(await cache.header(challenge, PULL, fetch)).toBe('Bearer token-1');
    expect(await cache.header(challenge, PULL, fetch)).toBe('Bearer token-1');
    advance(60_000);
    expect(await cache.header(challenge, PULL, fetch)).toBe('Bearer token-2');
    cache.invalidate(challenge, PULL);
    expect(await cache.header(challenge, PULL, fetch)).toBe('Bearer token-3');
    expect(await cache.get(challenge, PULL, fetch)).toBe('token-3');
  });

  it('forgets an invalidated token, and a fetch that failed', async () => {
    const { cache, fetch } = cacheAt();
    await cache.get(challenge, PULL, fetch);
    cache.invalidate(challenge, PULL);
    expect(await cache.get(challenge, PULL, fetch)).toBe('token-2');
    await expect(cache.get(challenge, 'other', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get(challenge, 'other', fetch)).toBe('token-3');
  });

  it('fails the requests that waited for a fetch that failed with its error, without fetching again for each', async () => {
    const cache = new TokenCache();
    let fetches = 0;
    const failing = async (): Promise<CachedToken> => {
      fetches += 1;
      throw new Error(`down ${fetches}`);
    };
    const outcomes = await Promise.allSettled([1, 2, 3, 4].map(() => cache.get(challenge, PULL, failing)));
    expect(outcomes.map((o) => o.status === 'rejected' && (o.reason as Error).message)).toEqual(
      Array(4).fill('down 1'),
    );
    expect(fetches).toBe(1);
  });
});

describe('the lifetime of a fetched token', () => {
  const NOW = 1_000_000;
  const request = (): TokenRequest => ({
    challenge,
    scope: PULL,
    found: undefined,
    registry: 'registry.example',
    allowPlainHttp: false,
    text: new RegistryText(),
  });
  const fetchWith = (body: unknown) =>
    fetchToken(
      request(),
      async () => answer(200, {}, body),
      () => NOW,
    );

  it('is expires_in seconds, used until 5 s before it ends', async () => {
    expect((await fetchWith({ token: 'tok-0123456789', expires_in: 300 })).expiresAt).toBe(NOW + 295_000);
  });

  it('is at least 60 s, whatever expires_in says or when it says nothing', async () => {
    expect((await fetchWith({ token: 'tok-0123456789', expires_in: 10 })).expiresAt).toBe(NOW + 55_000);
    expect((await fetchWith({ access_token: 'tok-0123456789' })).expiresAt).toBe(NOW + 55_000);
  });
});
