import { createServer, request } from 'node:http';
import { createSecureServer } from 'node:http2';
import { request as tlsRequest } from 'node:https';
import { loopbackAgent } from './http.mjs';
import { listenOnLoopback } from './listen.mjs';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Headers to pass on: no hop-by-hop ones, no HTTP/2 pseudo-headers (`:authority` becomes `host`). */
function endToEnd(headers) {
  const passed = Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name) && !name.startsWith(':'));
  const authority = headers[':authority'];
  return Object.fromEntries(authority && !headers.host ? [...passed, ['host', authority]] : passed);
}

/** What a registry API request is about, for the per-kind breakdown. */
export function requestKind(method, url) {
  const path = url.split('?')[0];
  if (path === '/v2/' || path === '/v2') return `${method} /v2/`;
  if (path.includes('/blobs/uploads')) return `${method} upload`;
  if (path.includes('/manifests/')) return `${method} manifest`;
  if (path.includes('/blobs/')) return `${method} blob`;
  if (path.endsWith('/tags/list')) return `${method} tags`;
  return `${method} other`;
}

/**
 * A reverse proxy on a free loopback port in front of `upstream` (a registry handle of registry.mjs), counting
 * requests (by kind), client connections, when the first request arrived (`firstRequestAt`, performance.now()),
 * and connections that did not speak HTTP (a client probing for TLS first,
 * answered with a 400 as distribution answers it).
 * The Host header is passed through, so upload locations the registry hands out point back at the proxy.
 *
 * In front of a TLS registry (`--registry-mode token`) the proxy terminates TLS with the registry's own certificate
 * (so clients verify it against the same CA), offering HTTP/2 or HTTP/1.1, and speaks TLS to the registry, so every request stays countable by
 * kind. Token requests go to the registry's token server, named in its challenges, not through the proxy: the
 * server records each one, and `counts()` adds those made since the last reset as `GET token` (they count in
 * `requests`; the token server's connections do not count in `connections`).
 */
export async function startCountingProxy(upstream) {
  const tls = upstream.scheme === 'https';
  const agent = loopbackAgent(64, upstream.ca?.caPem);
  const forward = tls ? tlsRequest : request;
  const tokenServer = upstream.tokenServer;
  let counts = emptyCounts();
  const sockets = new Set();
  const handler = (req, res) => {
    counts.firstRequestAt ??= performance.now();
    counts.requests++;
    const kind = requestKind(req.method, req.url);
    counts.byKind[kind] = (counts.byKind[kind] ?? 0) + 1;
    const upstreamRequest = forward(
      {
        host: '127.0.0.1',
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: endToEnd(req.headers),
        agent,
      },
      (up) => {
        res.writeHead(up.statusCode, endToEnd(up.headers));
        up.pipe(res);
      },
    );
    upstreamRequest.on('error', () => (res.stream ?? res).destroy());
    req.pipe(upstreamRequest);
  };
  // Over TLS it offers HTTP/2 and HTTP/1.1 (ALPN), as distribution does, and speaks HTTP/1.1 to the registry.
  const server = tls ? createSecureServer({ ...upstream.serverTls, allowHTTP1: true }, handler) : createServer(handler);
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket) => {
    counts.connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => {
    counts.nonHttpConnections++;
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
  const { port, host } = await listenOnLoopback(server);
  return {
    port,
    host,
    /** Counts since the last reset, token requests included. */
    counts: () => withTokens(structuredClone(counts), tokenServer),
    reset: () => {
      counts = emptyCounts();
      tokenServer?.clearRequests();
    },
    stop: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}

function withTokens(counts, tokenServer) {
  for (const { method } of tokenServer?.requests ?? []) {
    counts.requests++;
    counts.tokenRequests = (counts.tokenRequests ?? 0) + 1;
    counts.byKind[`${method} token`] = (counts.byKind[`${method} token`] ?? 0) + 1;
  }
  return counts;
}

function emptyCounts() {
  return { requests: 0, connections: 0, nonHttpConnections: 0, byKind: {} };
}
