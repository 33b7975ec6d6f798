import { describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/core/errors.js';
import type { CredentialProvider } from '../../src/registry/auth/repository-credentials.js';
import { DEFAULT_CLIENT_OPTIONS, RegistryClient } from '../../src/registry/distribution/client.js';
import type { HttpRequest } from '../../src/registry/http/transport.js';
import { answer, BEARER_CHALLENGE, fakeTransports } from './fake-http.js';

const MANIFEST = '/v2/team/app/manifests/1.0';

const credentials: CredentialProvider = {
  find: async () => ({ credential: { kind: 'basic', username: 'ci', password: 'hunter2-long' }, source: 'auth.json' }),
};

function client(handle: (req: HttpRequest) => ReturnType<typeof answer>, provider = credentials) {
  const fake = fakeTransports(handle);
  const options = { ...DEFAULT_CLIENT_OPTIONS, registry: 'registry.example', env: {}, credentials: provider };
  return {
    client: new RegistryClient({ ...options, retry: { ...options.retry, maxRetries: 0 } }, fake.transport),
    seen: fake.seen,
  };
}

/** A registry behind a token server that issues `token-1`, `token-2`, …; `manifest` answers the manifest requests. */
function bearerRegistry(manifest: (authorization: string | undefined) => ReturnType<typeof answer>) {
  let issued = 0;
  return (req: HttpRequest) => {
    if (req.url.pathname === '/v2/') return answer(401, { 'www-authenticate': BEARER_CHALLENGE });
    if (req.url.host === 'auth.example') return answer(200, {}, { token: `token-${++issued}`, expires_in: 300 });
    return manifest(req.headers.authorization);
  };
}

describe('RegistryClient, over a fake transport', () => {
  it('pings once, then sends each request with a bearer token from the token server', async () => {
    const { client: registry, seen } = client(bearerRegistry(() => answer(200)));
    await registry.request({ method: 'GET', path: MANIFEST, repository: 'team/app' });
    await registry.request({ method: 'GET', path: MANIFEST, repository: 'team/app' });
    expect(seen.map((s) => `${s.method} ${s.url} ${s.authorization ?? '-'}`)).toEqual([
      'GET https://registry.example/v2/ -',
      expect.stringMatching(
        /^GET https:\/\/auth\.example\/token\?service=registry\.example&scope=repository%3Ateam%2Fapp%3Apull&account=ci Basic /,
      ),
      `GET https://registry.example${MANIFEST} Bearer token-1`,
      `GET https://registry.example${MANIFEST} Bearer token-1`,
    ]);
  });

  it('after a 401 asks once more with a fresh token', async () => {
    const { client: registry, seen } = client(bearerRegistry((auth) => answer(auth === 'Bearer token-2' ? 200 : 401)));
    const res = await registry.request({ method: 'GET', path: MANIFEST, repository: 'team/app' });
    expect(res.status).toBe(200);
    expect(seen.filter((s) => s.url.endsWith(MANIFEST)).map((s) => s.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-2',
    ]);
  });

  it('answers a second 401 as it is, and words it as refused credentials naming their source', async () => {
    const { client: registry, seen } = client(bearerRegistry(() => answer(401)));
    const res = await registry.request({ method: 'GET', path: MANIFEST, repository: 'team/app' });
    expect(seen.filter((s) => s.url.endsWith(MANIFEST))).toHaveLength(2);
    const error = await registry.statusError(res, 'manifest registry.example/team/app:1.0', 'team/app');
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.reason).toBe('Unauthorized');
    expect(error.message).toBe(
      'authentication failed for manifest registry.example/team/app:1.0: the credentials for registry.example from auth.json were refused',
    );
  });

  it('sends no credentials to the host a blob download is redirected to', async () => {
    const { client: registry, seen } = client((req) => {
      if (req.url.pathname === '/v2/') return answer(401, { 'www-authenticate': 'Basic realm="r"' });
      if (req.url.host === 'cdn.example') return answer(200);
      return answer(307, { location: 'https://cdn.example/blob?sig=1' });
    });
    await registry.request({
      method: 'GET',
      path: '/v2/team/app/blobs/sha256:aa',
      repository: 'team/app',
      followRedirects: true,
    });
    expect(seen.slice(1).map((s) => `${s.url} ${s.authorization?.split(' ')[0] ?? 'none'}`)).toEqual([
      'https://registry.example/v2/team/app/blobs/sha256:aa Basic',
      'https://cdn.example/blob?sig=1 none',
    ]);
  });

  it('refuses a redirect target that asks for authentication, naming it', async () => {
    const { client: registry } = client((req) => {
      if (req.url.pathname === '/v2/') return answer(200);
      if (req.url.host === 'cdn.example') return answer(401, { 'www-authenticate': 'Basic realm="cdn"' });
      return answer(302, { location: 'https://cdn.example/blob' });
    });
    await expect(
      registry.request({
        method: 'GET',
        path: '/v2/team/app/blobs/sha256:aa',
        repository: 'team/app',
        followRedirects: true,
      }),
    ).rejects.toThrow(
      '/v2/team/app/blobs/sha256:aa: the registry redirected to cdn.example, which asks for authentication; credentials for registry.example are never sent to another host',
    );
  });

  it('scrubs an Authorization the registry echoes in a header', async () => {
    const { client: registry } = client((req) =>
      req.url.pathname === '/v2/'
        ? answer(401, { 'www-authenticate': 'Basic realm="r"' })
        : answer(200, { 'x-debug': `got ${req.headers.authorization}` }),
    );
    const res = await registry.request({ method: 'GET', path: MANIFEST, repository: 'team/app' });
    expect(res.headers['x-debug']).toBe('[redacted]');
  });
});
