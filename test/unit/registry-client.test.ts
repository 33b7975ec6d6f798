import { describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/core/errors.js';
import type { CredentialProvider } from '../../src/registry/auth/repository-credentials.js';
import { DEFAULT_CLIENT_OPTIONS, RegistryClient } from '../../src/registry/distribution/client.js';
import { RequestLimiter } from '../../src/registry/http/limiter.js';
import type { HttpRequest } from '../../src/registry/http/transport.js';
import type { TransportFactory } from '../../src/registry/http/transport-pool.js';
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

describe('RegistryClient.prepare: connections set up while the token is fetched', () => {
  const issued = (_req: HttpRequest) => answer(200, {}, { token: 'token-1', expires_in: 300 });

  /**
   * A bearer registry whose token server holds its answer until `release`, then answers with `token`; `events` lists
   * sends, warms (as many connections as the places let it set up) and the closing of the connections warmed, in order.
   */
  function heldTokenRegistry(token: (req: HttpRequest) => ReturnType<typeof answer> = issued) {
    const events: string[] = [];
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const transport: TransportFactory = () => ({
      send: async (req) => {
        events.push(`send ${req.url.host}${req.url.pathname}`);
        if (req.url.pathname === '/v2/') return answer(401, { 'www-authenticate': BEARER_CHALLENGE });
        await held;
        return token(req);
      },
      warm: (origin, connections, places) => {
        let set = 0;
        while (set < connections && (places?.take() ?? true)) set += 1;
        events.push(`warm ${origin.host} ${set}`);
        return { close: () => events.push(`close the ${set} warmed`) };
      },
      close: async () => {},
    });
    return { events, release, transport };
  }

  function preparingClient(transport: TransportFactory, limiter?: RequestLimiter, provider = credentials) {
    const options = { ...DEFAULT_CLIENT_OPTIONS, registry: 'registry.example', env: {}, credentials: provider };
    const retry = { ...options.retry, maxRetries: 0 };
    return new RegistryClient({ ...options, retry, ...(limiter && { limiter }) }, transport);
  }

  const warmed = async (events: string[]) => {
    while (!events.some((e) => e.startsWith('warm'))) await new Promise((resolve) => setImmediate(resolve));
  };

  it("asks the registry's transport for the connections of every request prepared, after the token request left", async () => {
    const { events, release, transport } = heldTokenRegistry();
    const registry = preparingClient(transport);
    const prepared = Promise.all([
      registry.prepare('team/app', undefined, 5),
      registry.prepare('team/db', undefined, 2),
    ]);
    await warmed(events);
    await new Promise((resolve) => setImmediate(resolve));
    expect([...new Set(events)]).toEqual([
      'send registry.example/v2/',
      'send auth.example/token',
      'warm registry.example 7',
    ]);
    release();
    await prepared;
  });

  it('asks, once the token is at hand, for the connections of the requests prepared since, not of every one before', async () => {
    const { events, release, transport } = heldTokenRegistry();
    const registry = preparingClient(transport);
    release();
    await registry.prepare('team/app', undefined, 5);
    await warmed(events);
    events.length = 0;

    await registry.prepare('team/app', undefined, 1);
    await warmed(events);
    expect(events.filter((e) => e.startsWith('warm'))).toEqual(['warm registry.example 1']);
  });

  it('forgets the requests prepared for a repository whose credential cannot be read', async () => {
    const { events, release, transport } = heldTokenRegistry();
    release();
    const unreadable: CredentialProvider = {
      find: (query) =>
        query.repository === 'team/locked' ? Promise.reject(new Error('unreadable')) : credentials.find(query),
    };
    const registry = preparingClient(transport, undefined, unreadable);
    await registry.prepare('team/locked', undefined, 5).catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));

    await registry.prepare('team/app', undefined, 1);
    await warmed(events);
    expect(events.filter((e) => e.startsWith('warm'))).toEqual(['warm registry.example 1']);
  });

  it("keeps the connections set up ahead by a host's clients, with its requests in flight, within its maxConcurrency", async () => {
    const limiter = new RequestLimiter(5);
    const first = heldTokenRegistry();
    const second = heldTokenRegistry();
    const one = preparingClient(first.transport, limiter);
    const other = preparingClient(second.transport, limiter);
    const prepared = [one.prepare('team/app', undefined, 2), other.prepare('team/db', undefined, 3)];
    await Promise.all([warmed(first.events), warmed(second.events)]);
    // the two token requests are in flight
    expect([first.events.at(-1), second.events.at(-1)]).toEqual(['warm registry.example 2', 'warm registry.example 1']);
    first.release();
    second.release();
    await Promise.all(prepared);
  });

  /** Credentials the token server refuses for team/app, and accepts for every other repository. */
  const refusedForApp: CredentialProvider = {
    find: async ({ repository }) => ({
      credential: { kind: 'basic', username: repository === 'team/app' ? 'old' : 'ci', password: 'hunter2-long' },
      source: 'auth.json',
    }),
  };
  const refusingOld = (req: HttpRequest) => (req.url.search.includes('account=old') ? answer(401) : issued(req));
  const unreachable = (): ReturnType<typeof answer> => {
    throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  };

  it.each([
    ['refuses the credentials', refusingOld],
    ['cannot be reached', unreachable],
  ])('closes the connections set up beside a token when the token server %s', async (_, token) => {
    const { events, release, transport } = heldTokenRegistry(token);
    const registry = preparingClient(transport, undefined, refusedForApp);
    const prepared = registry.prepare('team/app', undefined, 5);
    await warmed(events);
    release();
    await expect(prepared).rejects.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(events.filter((e) => !e.startsWith('send'))).toEqual(['warm registry.example 5', 'close the 5 warmed']);
  });

  it('keeps them while another repository prepared on the registry may still send over them', async () => {
    const { events, release, transport } = heldTokenRegistry(refusingOld);
    const registry = preparingClient(transport, undefined, refusedForApp);
    const refused = registry.prepare('team/app', undefined, 5);
    await warmed(events);
    const authorized = registry.prepare('team/db', undefined, 2);
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await expect(refused).rejects.toThrow();
    await authorized;
    await new Promise((resolve) => setImmediate(resolve));
    expect(events.filter((e) => e.startsWith('close'))).toEqual([]);
  });
});
