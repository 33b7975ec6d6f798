import { Agent, request } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** Keep-alive connections to 127.0.0.1 for the bench's own requests; over TLS, trusting `ca` (PEM), when given. */
export function loopbackAgent(maxSockets = 16, ca = undefined) {
  return ca ? new HttpsAgent({ keepAlive: true, maxSockets, ca }) : new Agent({ keepAlive: true, maxSockets });
}

/**
 * One HTTP(S) exchange with 127.0.0.1:`port` (https when `agent` is an HTTPS agent); resolves with the status,
 * headers and whole body. `body` is a Buffer, or a readable stream that is piped into the request.
 */
export function send(agent, port, { method, path, headers = {}, body }) {
  const send = agent instanceof HttpsAgent ? httpsRequest : request;
  return new Promise((resolve, reject) => {
    const req = send({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (typeof body?.pipe === 'function') body.on('error', reject).pipe(req);
    else req.end(body);
  });
}

/**
 * The bench's own client for one of its registries (see registry.mjs): plain HTTP, or TLS trusting the registry's
 * CA with a Bearer token per repository (pull and push) from its token server, fetched once with the credentials.
 * `send(repository, request)` is `send` above with the token added.
 */
export function registryClient(registry, maxSockets = 16) {
  const agent = loopbackAgent(maxSockets, registry.ca?.caPem);
  const tokens = new Map();
  const tokenFor = (repository) => {
    let token = tokens.get(repository);
    if (!token) {
      token = fetchToken(agent, registry, `repository:${repository}:pull,push`);
      tokens.set(repository, token);
    }
    return token;
  };
  return {
    origin: `${registry.scheme}://${registry.host}`,
    async send(repository, req) {
      if (!registry.auth) return send(agent, registry.port, req);
      const authorization = `Bearer ${await tokenFor(repository)}`;
      return send(agent, registry.port, { ...req, headers: { ...req.headers, authorization } });
    },
    close: () => agent.destroy(),
  };
}

/** A token for `scope` from the registry's token server, asked with its credentials (HTTP Basic). */
export async function fetchToken(agent, registry, scope) {
  const { realm, service, username, password } = registry.auth;
  const url = new URL(realm);
  url.search = new URLSearchParams({ service, scope, account: username }).toString();
  const res = await send(agent, Number(url.port), {
    method: 'GET',
    path: `${url.pathname}${url.search}`,
    headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
  });
  if (res.status !== 200) throw new Error(`token server answered ${res.status} for ${scope}`);
  return JSON.parse(res.body.toString('utf8')).token;
}

/** Runs `task` over `items`, at most `limit` at once. */
export async function forEachConcurrent(items, limit, task) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
