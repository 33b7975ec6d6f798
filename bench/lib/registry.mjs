/**
 * `--registry-mode plain`: the test harness's registry (test/helpers/registry.ts, transpiled by `helpers`), plain HTTP
 * without auth, storage under `dir`, logging errors only (an access log costs it time).
 */
export async function startPlainRegistry(helpers, dir) {
  const registry = await helpers.startRegistry({ mode: 'plain', dir, quiet: true });
  return { port: registry.port, host: registry.host, scheme: 'http', stop: () => registry.stop() };
}

/**
 * `--registry-mode token`: the test harness's registry (test/helpers/registry.ts, transpiled by `helpers`), as
 * registries run in earnest: TLS with a certificate of the generated CA `pki`, and token auth, a token server
 * (https, same CA) issuing RS256 JWTs to `credentials` and refusing anonymous pulls. Logs errors only, like the
 * plain one. The handle has the plain one's `port`, `host` and `stop`, and what a client needs: `scheme`, `ca`,
 * `auth` (realm, service and credentials), the `tokenServer` (which records every token request) and the server
 * certificate `serverTls`, for a proxy to present.
 */
export async function startTokenRegistry(helpers, dir, pki, credentials) {
  const registry = await helpers.startRegistry({
    mode: 'token',
    tls: true,
    tokenServerTls: true,
    pki,
    ...credentials,
    token: { anonymousPull: false, expiresIn: 3600 },
    dir,
    quiet: true,
  });
  const { tokenServer } = registry;
  return {
    port: registry.port,
    host: registry.host,
    scheme: 'https',
    ca: registry.ca,
    auth: { realm: tokenServer.realm, service: tokenServer.service, ...credentials },
    tokenServer,
    serverTls: { cert: pki.server.certPem, key: pki.server.keyPem },
    stop: () => registry.stop(),
  };
}
