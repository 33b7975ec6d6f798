import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../core/errors.js';

export interface ListenAddress {
  host: string;
  port: number;
}

export interface MetricsHandlers {
  /** Prometheus text exposition. */
  metrics(): string;
  /** False once the process is stopping. */
  healthy(): boolean;
}

export interface MetricsServer {
  /** `http://HOST:PORT` as bound (the real port when 0 was asked). */
  url: string;
  close(): Promise<void>;
}

/** `HOST:PORT` or `[IPv6]:PORT`; the host is required, so the server binds only where it is told to. */
export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (!match || port > 65_535) {
    throw new UsageError(
      `invalid --metrics-addr ${JSON.stringify(text)}: expected HOST:PORT, e.g. 127.0.0.1:9090 (0.0.0.0:9090 for every interface)`,
    );
  }
  return { host: match[1] ?? match[2]!, port };
}

/** Serves `GET /metrics` and `GET /healthz` at `address`, and nothing else. */
export async function startMetricsServer(address: string, handlers: MetricsHandlers): Promise<MetricsServer> {
  const { host, port } = parseListenAddress(address);
  const server = createServer((request, response) => answer(request, response, handlers));
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new UsageError(`cannot serve metrics on ${address}: ${error.code ?? error.message}`)),
    );
    server.listen(port, host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  const shownHost = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return {
    url: `http://${shownHost}:${bound.port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function answer(request: IncomingMessage, response: ServerResponse, handlers: MetricsHandlers): void {
  const path = new URL(request.url ?? '/', 'http://metrics.invalid').pathname;
  if (path !== '/metrics' && path !== '/healthz') send(response, request, 404, 'not found\n');
  else if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    send(response, request, 405, 'method not allowed\n');
  } else if (path === '/healthz') {
    const healthy = handlers.healthy();
    send(response, request, healthy ? 200 : 503, healthy ? 'ok\n' : 'stopping\n');
  } else send(response, request, 200, handlers.metrics(), 'text/plain; version=0.0.4; charset=utf-8');
}

function send(
  response: ServerResponse,
  request: IncomingMessage,
  status: number,
  body: string,
  type = 'text/plain; charset=utf-8',
): void {
  const bytes = Buffer.from(body, 'utf8');
  response.writeHead(status, { 'content-type': type, 'content-length': bytes.length });
  response.end(request.method === 'HEAD' ? undefined : bytes);
}
