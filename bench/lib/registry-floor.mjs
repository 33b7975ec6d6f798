import { Pool } from 'undici';

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** imagestreams' default maxConcurrency. */
const DEFAULT_IN_FLIGHT = 8;

/** A token for pulling `repository`, from the registry's token server with its credentials. */
async function pullToken(tokenPool, auth, repository) {
  const url = new URL(auth.realm);
  url.search = new URLSearchParams({
    service: auth.service,
    scope: `repository:${repository}:pull`,
    account: auth.username,
  }).toString();
  const basic = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
  const res = await tokenPool.request({
    method: 'GET',
    path: `${url.pathname}${url.search}`,
    headers: { authorization: `Basic ${basic}` },
  });
  const body = await res.body.json();
  if (res.statusCode !== 200) throw new Error(`token server answered ${res.statusCode} for ${repository}`);
  return body.token;
}

/**
 * One pass of the no-op plan's requests: a HEAD per tag asking the registry to confirm the tag's digest; with
 * token auth, first a pull token per repository (fetched once, when its first tag needs it), over TLS.
 */
async function onePass(registry, dataset, inFlight) {
  const connect = registry.ca ? { connect: { ca: registry.ca.caPem } } : {};
  const pool = new Pool(`${registry.scheme}://${registry.host}`, { connections: inFlight, ...connect });
  const auth = registry.auth;
  const tokenPool = auth ? new Pool(new URL(auth.realm).origin, { connections: inFlight, ...connect }) : undefined;
  const tokens = new Map();
  const authorization = async (repository) => {
    if (!auth) return {};
    if (!tokens.has(repository)) tokens.set(repository, pullToken(tokenPool, auth, repository));
    return { authorization: `Bearer ${await tokens.get(repository)}` };
  };
  let next = 0;
  const statuses = {};
  const worker = async () => {
    while (next < dataset.tags.length) {
      const tag = dataset.tags[next++];
      const headers = {
        accept: ACCEPT,
        'if-none-match': `"${tag.image.top.digest}"`,
        ...(await authorization(tag.repo.name)),
      };
      // reset: false: keep the connection after a HEAD, which undici would otherwise close (imagestreams' transport
      // asks the same), so that no HEAD pays for a new connection, let alone a TLS handshake.
      const path = `/v2/${tag.repo.name}/manifests/${tag.name}`;
      const res = await pool.request({ method: 'HEAD', path, headers, reset: false });
      await res.body.dump();
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
    }
  };
  const started = performance.now();
  try {
    await Promise.all(Array.from({ length: inFlight }, worker));
    return { wallSeconds: (performance.now() - started) / 1000, statuses, tokens: tokens.size };
  } finally {
    await pool.close();
    await tokenPool?.close();
  }
}

/**
 * How fast the registry answers a no-op plan's requests whatever the client: the same conditional HEADs (and,
 * with token auth, a token per repository), sent from the bench process over as many keep-alive connections as
 * imagestreams uses, with nothing else to do. No client plans faster here, so this bounds how many times faster
 * than the skopeo loop a no-op plan can be.
 */
export async function measureRegistryFloor(registry, dataset, repeat, inFlight = DEFAULT_IN_FLIGHT) {
  const runs = [];
  for (let i = 0; i < repeat; i++) runs.push(await onePass(registry, dataset, inFlight));
  const walls = runs.map((r) => r.wallSeconds).sort((a, b) => a - b);
  return {
    requests: dataset.tags.length,
    ...(registry.auth ? { tokenRequests: runs[0].tokens } : {}),
    connections: inFlight,
    wallSeconds: walls[Math.floor((walls.length - 1) / 2)],
    wallSecondsRuns: runs.map((r) => r.wallSeconds),
    statuses: runs[0].statuses,
  };
}
