import { createServer, request } from 'node:http';
import { loopbackAgent } from './http.mjs';

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

function endToEnd(headers) {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
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
 * A reverse proxy on a free loopback port in front of the registry on `upstreamPort`, counting requests (by kind),
 * client connections, and connections that did not speak HTTP (a client probing for TLS first, answered with a
 * 400 as distribution answers it).
 * The Host header is passed through, so upload locations the registry hands out point back at the proxy.
 */
export async function startCountingProxy(upstreamPort) {
  const agent = loopbackAgent(64);
  let counts = emptyCounts();
  const sockets = new Set();
  const server = createServer((req, res) => {
    counts.requests++;
    const kind = requestKind(req.method, req.url);
    counts.byKind[kind] = (counts.byKind[kind] ?? 0) + 1;
    const upstream = request(
      {
        host: '127.0.0.1',
        port: upstreamPort,
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
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
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
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    port,
    host: `127.0.0.1:${port}`,
    /** Counts since the last reset. */
    counts: () => structuredClone(counts),
    reset: () => {
      counts = emptyCounts();
    },
    stop: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}

function emptyCounts() {
  return { requests: 0, connections: 0, nonHttpConnections: 0, byKind: {} };
}
