// The bare client the registry floor is measured with: the no-op plan's requests and nothing else. Imported, it
// runs inside the bench process; `node bare-client.mjs JOB.json` runs one pass in a process of its own (started
// cold, as every imagestreams command is) and prints its result as JSON.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createSecureContext } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';

// As imagestreams does: undici's WebAssembly HTTP parser stays in V8's baseline tier. Optimising it would also keep a
// process of its own some 130 ms longer at exit, while Node waits for that compilation to finish.
setFlagsFromString('--liftoff-only');

// The least a client needs from undici (its index loads some 400 modules): a pool, and `request` on it.
const require = createRequire(import.meta.url);
const Pool = require('undici/lib/dispatcher/pool.js');
Object.assign(require('undici/lib/dispatcher/dispatcher.js').prototype, require('undici/lib/api/index.js'));

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** Node's CA store with the registry's CA added (cheaper than passing `ca`, which re-reads every bundled CA). */
function connectOptions(caPem) {
  if (!caPem) return {};
  const secureContext = createSecureContext();
  secureContext.context.addCACert(caPem);
  return { connect: { secureContext } };
}

/** Repositories a token is asked for at once, as imagestreams asks (the token spec lets `scope` repeat). */
const SCOPES_PER_TOKEN = 16;

/** A token for pulling every one of `repositories`, from the registry's token server with its credentials. */
async function pullToken(tokenPool, auth, repositories) {
  const params = new URLSearchParams({ service: auth.service, account: auth.username });
  for (const repository of repositories) params.append('scope', `repository:${repository}:pull`);
  const url = new URL(auth.realm);
  const basic = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
  const res = await tokenPool.request({
    method: 'GET',
    path: `${url.pathname}?${params}`,
    headers: { authorization: `Basic ${basic}` },
  });
  const body = await res.body.json();
  if (res.statusCode !== 200) throw new Error(`token server answered ${res.statusCode} for ${repositories}`);
  return body.token;
}

/** The repositories of `tags` in order of their first tag, in groups of SCOPES_PER_TOKEN: one token each. */
function tokenGroups(tags) {
  const repositories = [...new Set(tags.map((tag) => tag.repository))];
  const groups = new Map();
  for (let i = 0; i < repositories.length; i += SCOPES_PER_TOKEN) {
    const group = repositories.slice(i, i + SCOPES_PER_TOKEN);
    for (const repository of group) groups.set(repository, group);
  }
  return groups;
}

/**
 * One pass of the no-op plan's requests: a HEAD per tag (`{ repository, tag, digest }`) asking the registry to
 * confirm its digest; with token auth (`registry.auth`: realm, service, username, password), first a pull token
 * for each group of repositories (fetched once, when the first tag of the group needs it), over TLS trusting
 * `registry.caPem`.
 */
export async function onePass(registry, tags, inFlight) {
  const connect = connectOptions(registry.caPem);
  const pool = new Pool(`${registry.scheme}://${registry.host}`, { connections: inFlight, ...connect });
  const { auth } = registry;
  const tokenPool = auth ? new Pool(new URL(auth.realm).origin, { connections: inFlight, ...connect }) : undefined;
  const groups = tokenGroups(tags);
  const tokens = new Map();
  let tokenRequests = 0;
  const authorization = async (repository) => {
    if (!auth) return {};
    if (!tokens.has(repository)) {
      const group = groups.get(repository);
      const token = pullToken(tokenPool, auth, group);
      tokenRequests += 1;
      for (const member of group) tokens.set(member, token);
    }
    return { authorization: `Bearer ${await tokens.get(repository)}` };
  };
  let next = 0;
  const statuses = {};
  const worker = async () => {
    while (next < tags.length) {
      const { repository, tag, digest } = tags[next++];
      const headers = { accept: ACCEPT, 'if-none-match': `"${digest}"`, ...(await authorization(repository)) };
      // reset: false: keep the connection after a HEAD, which undici would otherwise close (imagestreams' transport
      // asks the same), so that no HEAD pays for a new connection, let alone a TLS handshake.
      const path = `/v2/${repository}/manifests/${tag}`;
      const res = await pool.request({ method: 'HEAD', path, headers, reset: false });
      await res.body.dump();
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
    }
  };
  const started = performance.now();
  try {
    await Promise.all(Array.from({ length: inFlight }, worker));
    return { wallSeconds: (performance.now() - started) / 1000, statuses, tokens: tokenRequests };
  } finally {
    // Sockets are destroyed, not closed gracefully: a process of its own would otherwise wait on the registry to
    // close them before it can exit, which no client needs to do.
    await pool.destroy();
    await tokenPool?.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const result = await onePass(job.registry, job.tags, job.inFlight);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
