import { startDelayProxy } from './delay-proxy.mjs';

/**
 * What a bench registry handle adds to the harness's: a delay proxy in front of the registry (`delayed`, see
 * delay-proxy.mjs) and, with token auth, one in front of its token server, which the registry names as its realm so
 * that every client reaches the token server through it. `setRtt(ms)` sets both; `stop()` stops them too.
 */
async function withDelayProxies(handle, tokenProxy) {
  const delayed = await startDelayProxy({ upstreamPort: handle.port });
  const proxies = tokenProxy ? [delayed, tokenProxy] : [delayed];
  return {
    ...handle,
    delayed,
    tokenProxy,
    setRtt: (ms) => {
      for (const proxy of proxies) proxy.setRtt(ms);
    },
    stop: async () => {
      for (const proxy of proxies) await proxy.stop();
      await handle.stop();
    },
  };
}

/**
 * `--registry-mode plain`: the test harness's registry (test/helpers/registry.ts, transpiled by `helpers`), plain HTTP
 * without auth, storage under `dir`, logging errors only (an access log costs it time).
 */
export async function startPlainRegistry(helpers, dir) {
  const registry = await helpers.startRegistry({ mode: 'plain', dir, quiet: true });
  return withDelayProxies({ port: registry.port, host: registry.host, scheme: 'http', stop: () => registry.stop() });
}

/**
 * `--registry-mode token`: the test harness's registry (test/helpers/registry.ts, transpiled by `helpers`), as
 * registries run in earnest: TLS with a certificate of the generated CA `pki`, and token auth, a token server
 * (https, same CA) issuing RS256 JWTs to `credentials` and refusing anonymous pulls, reached through a delay proxy
 * (the realm). Logs errors only, like the plain one. The handle has the plain one's `port`, `host`, `delayed`,
 * `setRtt` and `stop`, and what a client needs: `scheme`, `ca`, `auth` (realm, service and credentials), the
 * `tokenServer` (which records every token request) and the server certificate `serverTls`, for a proxy to present.
 */
export async function startTokenRegistry(helpers, dir, pki, credentials) {
  const tokenProxy = await startDelayProxy();
  let registry;
  try {
    registry = await helpers.startRegistry({
      mode: 'token',
      tls: true,
      tokenServerTls: true,
      pki,
      ...credentials,
      token: { anonymousPull: false, expiresIn: 3600 },
      tokenRealm: (server) => {
        const realm = new URL(server.realm);
        tokenProxy.setUpstream(Number(realm.port));
        realm.host = tokenProxy.host;
        return realm.href;
      },
      dir,
      quiet: true,
    });
  } catch (error) {
    await tokenProxy.stop();
    throw error;
  }
  const { tokenServer } = registry;
  const realm = new URL(tokenServer.realm);
  realm.host = tokenProxy.host;
  return withDelayProxies(
    {
      port: registry.port,
      host: registry.host,
      scheme: 'https',
      ca: registry.ca,
      auth: { realm: realm.href, service: tokenServer.service, ...credentials },
      tokenServer,
      serverTls: { cert: pki.server.certPem, key: pki.server.keyPem },
      stop: () => registry.stop(),
    },
    tokenProxy,
  );
}
