import { Agent, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { type ListeningServer, listenOnLoopback } from './http-server.js';

/** One request a client sent through the proxy. */
export interface ProxiedRequest {
  /** `CONNECT` (a tunnel, for https) or the method of an absolute-URI request (plain http). */
  method: string;
  /** `host:port` for CONNECT, the absolute URL otherwise. */
  target: string;
}

export interface ForwardProxy {
  /** `http://127.0.0.1:PORT`, for HTTPS_PROXY / HTTP_PROXY. */
  url: string;
  readonly requests: ProxiedRequest[];
  reset(): void;
  stop(): Promise<void>;
}

/** Only loopback targets: no test reaches the network through the proxy. */
const LOOPBACK = /^127\.0\.0\.1:\d+$/;

/** A forward proxy on 127.0.0.1 as corporate networks have: CONNECT tunnels and absolute-URI requests, recorded. */
export async function startForwardProxy(): Promise<ForwardProxy> {
  const requests: ProxiedRequest[] = [];
  const tunnels = new Set<Socket>();
  const agent = new Agent({ keepAlive: true });
  const listening: ListeningServer = await listenOnLoopback((request, response) => {
    requests.push({ method: request.method ?? 'GET', target: request.url ?? '' });
    forward(request, response, agent);
  });
  listening.server.on('connect', (request: IncomingMessage, client: Socket, head: Buffer) => {
    const target = request.url ?? '';
    requests.push({ method: 'CONNECT', target });
    if (!LOOPBACK.test(target)) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const [host, port] = target.split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    tunnels.add(upstream);
    upstream.once('close', () => tunnels.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  return {
    url: listening.origin,
    requests,
    reset: () => {
      requests.length = 0;
    },
    async stop() {
      for (const socket of tunnels) socket.destroy();
      await listening.close();
      agent.destroy();
    },
  };
}

function forward(request: IncomingMessage, response: ServerResponse, agent: Agent): void {
  const target = URL.canParse(request.url ?? '') ? new URL(request.url!) : undefined;
  if (target?.protocol !== 'http:' || !LOOPBACK.test(target.host)) {
    request.resume();
    response.writeHead(400, { 'content-type': 'text/plain' }).end('absolute http URI to 127.0.0.1 expected');
    return;
  }
  const { 'proxy-connection': _, 'proxy-authorization': __, ...headers } = request.headers;
  const outgoing = httpRequest(
    {
      host: target.hostname,
      port: target.port,
      method: request.method,
      path: target.pathname + target.search,
      headers,
      agent,
    },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    },
  );
  outgoing.on('error', () => response.destroy());
  request.pipe(outgoing);
}
