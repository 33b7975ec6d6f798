import {
  Agent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { type ListeningServer, listenOnLoopback } from './http-server.js';

/** What the proxy does instead of (or to) the upstream exchange of one request. */
export type Fault =
  /** Answer with this status without contacting upstream. */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Close the connection without answering (a connection reset). */
  | { kind: 'reset' }
  /** Forward the upstream headers and the first `afterBytes` body bytes, then close the connection. */
  | { kind: 'truncate'; afterBytes: number }
  /** Forward the upstream body `chunkBytes` at a time, waiting `delayMs` before each chunk. */
  | { kind: 'slow'; delayMs: number; chunkBytes?: number }
  /** Wait `ms` before forwarding (slow headers). */
  | { kind: 'delay'; ms: number }
  /** Wait until `until` settles before forwarding: the request is held for as long as the test needs. */
  | { kind: 'hold'; until: Promise<unknown> }
  /** Forward status and headers (Content-Length adjusted, `headers` set over them) with other body bytes. */
  | { kind: 'replaceBody'; body: Buffer | string; headers?: Record<string, string> }
  /** Forward the upstream answer with the `remove`d headers left out and the `set` ones added or replaced. */
  | { kind: 'headers'; set?: Record<string, string>; remove?: readonly string[] }
  /** Forward status and headers with a body of `bytes` bytes; `declareLength: false` sends it chunked. */
  | { kind: 'oversize'; bytes: number; declareLength?: boolean }
  /** Redirect to `location` (a URL, or a function of the request's path and query). */
  | { kind: 'redirect'; location: string | ((requestUrl: string) => string); status?: number }
  /** Forward status, headers and body with the body's first byte changed: same length, other digest. */
  | { kind: 'corruptBody' }
  /** Forward status and headers (sent chunked, without Content-Length) and the first `keepBytes` body bytes, then end cleanly. */
  | { kind: 'shortBody'; keepBytes: number }
  /** Forward status and headers (sent chunked, without Content-Length), the body, then filler bytes that never end. */
  | { kind: 'endlessBody' };

export interface RequestMatcher {
  method?: string;
  /** The exact path (without query), or a pattern tested against it. */
  path?: string | RegExp;
}

export interface SeenRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The kind of fault applied, when one was. */
  fault?: Fault['kind'];
  /** When the request arrived (`performance.now()`, milliseconds). */
  at: number;
  /** The status the proxy answered with, once it has. */
  status?: number;
}

export interface FaultProxy {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `127.0.0.1:PORT` */
  host: string;
  readonly requests: SeenRequest[];
  /** Applies `fault` to the next `times` requests that match (default once). Rules are tried in the order added. */
  inject(fault: Fault, match?: RequestMatcher & { times?: number }): void;
  /** Requests seen that match (all requests without a matcher). */
  count(match?: RequestMatcher): number;
  /** The most requests the proxy was answering at once (from arrival until its answer ended) since the last reset. */
  peakInFlight(): number;
  /** Forgets faults not yet used, requests seen and the in-flight peak. */
  reset(): void;
  stop(): Promise<void>;
}

export const tooManyRequests = (retryAfterSeconds: number): Fault => ({
  kind: 'status',
  status: 429,
  headers: { 'retry-after': String(retryAfterSeconds), 'content-type': 'application/json' },
  body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"too many requests"}]}',
});

export const serviceUnavailable = (): Fault => ({ kind: 'status', status: 503, body: 'service unavailable' });

/** Redirects to the same path and query on another origin (`http://127.0.0.1:PORT`). */
export const redirectTo = (origin: string, status = 302): Fault => ({
  kind: 'redirect',
  location: (requestUrl) => `${origin}${requestUrl}`,
  status,
});

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

function endToEnd(headers: IncomingHttpHeaders, drop: readonly string[] = []): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name) && !drop.includes(name)));
}

export function matches(match: RequestMatcher | undefined, method: string, path: string): boolean {
  if (!match) return true;
  if (match.method && match.method.toUpperCase() !== method) return false;
  if (match.path === undefined) return true;
  return typeof match.path === 'string' ? match.path === path : match.path.test(path);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function write(response: ServerResponse, chunk: Buffer): Promise<void> {
  if (!response.write(chunk)) await new Promise((resolve) => response.once('drain', resolve));
}

/** Writes `chunk`; false once the client has gone away (a full buffer then never drains). */
async function writeWhileOpen(response: ServerResponse, chunk: Buffer): Promise<boolean> {
  if (response.destroyed) return false;
  if (response.write(chunk)) return true;
  return new Promise((resolve) => {
    const settle = (open: boolean) => () => {
      response.off('drain', drained);
      response.off('close', closed);
      resolve(open);
    };
    const drained = settle(true);
    const closed = settle(false);
    response.once('drain', drained);
    response.once('close', closed);
  });
}

async function sendFilled(response: ServerResponse, bytes: number): Promise<void> {
  const block = Buffer.alloc(64 * 1024, 0x61);
  for (let sent = 0; sent < bytes && !response.destroyed; sent += block.length) {
    await write(response, block.subarray(0, Math.min(block.length, bytes - sent)));
  }
  response.end();
}

async function drip(
  upstream: IncomingMessage,
  response: ServerResponse,
  delayMs: number,
  chunkBytes: number,
): Promise<void> {
  for await (const chunk of upstream) {
    const data = chunk as Buffer;
    for (let offset = 0; offset < data.length && !response.destroyed; offset += chunkBytes) {
      await sleep(delayMs);
      await write(response, data.subarray(offset, offset + chunkBytes));
    }
  }
  response.end();
}

function lowerCased(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
}

async function collect(stream: IncomingMessage): Promise<void> {
  for await (const _ of stream);
}

/** Applies a fault that changes what upstream answered. */
async function relay(upstream: IncomingMessage, response: ServerResponse, fault: Fault | undefined): Promise<void> {
  const status = upstream.statusCode ?? 502;
  switch (fault?.kind) {
    case 'replaceBody': {
      await collect(upstream);
      const body = Buffer.from(fault.body);
      const headers = { ...endToEnd(upstream.headers, ['content-length']), ...lowerCased(fault.headers) };
      response.writeHead(status, { ...headers, 'content-length': body.length });
      response.end(body);
      return;
    }
    case 'headers': {
      const dropped = (fault.remove ?? []).map((name) => name.toLowerCase());
      response.writeHead(status, { ...endToEnd(upstream.headers, dropped), ...lowerCased(fault.set) });
      upstream.pipe(response);
      return;
    }
    case 'oversize': {
      await collect(upstream);
      const declared = fault.declareLength === false ? {} : { 'content-length': fault.bytes };
      response.writeHead(status, { ...endToEnd(upstream.headers, ['content-length']), ...declared });
      await sendFilled(response, fault.bytes);
      return;
    }
    case 'truncate': {
      response.writeHead(status, endToEnd(upstream.headers));
      let sent = 0;
      for await (const chunk of upstream) {
        const data = chunk as Buffer;
        const part = data.subarray(0, Math.max(0, fault.afterBytes - sent));
        if (part.length > 0) await write(response, part);
        sent += part.length;
        if (sent >= fault.afterBytes) break;
      }
      upstream.destroy();
      response.socket?.destroy();
      return;
    }
    case 'corruptBody': {
      response.writeHead(status, endToEnd(upstream.headers));
      let first = true;
      for await (const chunk of upstream) {
        const data = Buffer.from(chunk as Buffer);
        if (first && data.length > 0) {
          data[0] = data[0]! ^ 0xff;
          first = false;
        }
        if (!(await writeWhileOpen(response, data))) return;
      }
      response.end();
      return;
    }
    case 'shortBody': {
      response.writeHead(status, endToEnd(upstream.headers, ['content-length']));
      let sent = 0;
      for await (const chunk of upstream) {
        const part = (chunk as Buffer).subarray(0, Math.max(0, fault.keepBytes - sent));
        sent += part.length;
        if (part.length > 0 && !(await writeWhileOpen(response, part))) return;
      }
      response.end();
      return;
    }
    case 'endlessBody': {
      response.writeHead(status, endToEnd(upstream.headers, ['content-length']));
      for await (const chunk of upstream) if (!(await writeWhileOpen(response, chunk as Buffer))) return;
      const filler = Buffer.alloc(64 * 1024, 0x61);
      while (await writeWhileOpen(response, filler));
      return;
    }
    case 'slow':
      response.writeHead(status, endToEnd(upstream.headers));
      await drip(upstream, response, fault.delayMs, fault.chunkBytes ?? 16);
      return;
    default:
      response.writeHead(status, endToEnd(upstream.headers));
      upstream.pipe(response);
  }
}

/** An HTTP proxy on 127.0.0.1 in front of `upstreamUrl` (plain http) that can be scripted to misbehave. */
export async function startFaultProxy(upstreamUrl: string): Promise<FaultProxy> {
  const upstream = new URL(upstreamUrl);
  if (upstream.protocol !== 'http:') throw new Error('the fault proxy forwards to plain http upstreams only');
  const agent = new Agent({ keepAlive: true });
  const rules: { fault: Fault; match?: RequestMatcher; remaining: number }[] = [];
  const requests: SeenRequest[] = [];

  function takeFault(method: string, path: string): Fault | undefined {
    const rule = rules.find((r) => r.remaining > 0 && matches(r.match, method, path));
    if (!rule) return undefined;
    rule.remaining--;
    return rule.fault;
  }

  function forward(request: IncomingMessage, response: ServerResponse, fault: Fault | undefined): void {
    const outgoing = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: endToEnd(request.headers),
        agent,
      },
      (answer) => {
        answer.once('error', () => response.destroy());
        response.once('close', () => answer.destroy());
        relay(answer, response, fault).catch(() => response.destroy());
      },
    );
    outgoing.on('error', (error) => {
      if (response.headersSent) response.destroy();
      else {
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(`fault proxy: upstream failed: ${error.message}`);
      }
    });
    request.pipe(outgoing);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    const path = new URL(url, 'http://proxy.invalid').pathname;
    const fault = takeFault(method, path);
    const seen: SeenRequest = {
      method,
      url,
      path,
      headers: { ...request.headers },
      fault: fault?.kind,
      at: performance.now(),
    };
    requests.push(seen);
    response.once('finish', () => {
      seen.status = response.statusCode;
    });
    switch (fault?.kind) {
      case 'status':
        request.resume();
        response.writeHead(fault.status, { 'content-type': 'text/plain', ...fault.headers });
        response.end(fault.body ?? '');
        return;
      case 'reset':
        request.socket.resetAndDestroy();
        return;
      case 'redirect': {
        request.resume();
        const location = typeof fault.location === 'string' ? fault.location : fault.location(url);
        response.writeHead(fault.status ?? 302, { location, 'content-length': 0 });
        response.end();
        return;
      }
      case 'delay':
        await sleep(fault.ms);
        forward(request, response, undefined);
        return;
      case 'hold':
        await fault.until.catch(() => undefined);
        forward(request, response, undefined);
        return;
      default:
        forward(request, response, fault);
    }
  }

  let inFlight = 0;
  let peak = 0;
  const listening: ListeningServer = await listenOnLoopback((request, response) => {
    peak = Math.max(peak, ++inFlight);
    response.once('close', () => inFlight--);
    handle(request, response).catch(() => response.destroy());
  });

  return {
    url: listening.origin,
    host: `127.0.0.1:${listening.port}`,
    requests,
    inject(fault, match = {}) {
      const { times = 1, ...matcher } = match;
      rules.push({ fault, match: matcher, remaining: times });
    },
    count: (match) => requests.filter((r) => matches(match, r.method, r.path)).length,
    peakInFlight: () => peak,
    reset() {
      rules.length = 0;
      requests.length = 0;
      peak = inFlight;
    },
    async stop() {
      await listening.close();
      agent.destroy();
    },
  };
}

export interface OriginServer {
  url: string;
  readonly requests: SeenRequest[];
  stop(): Promise<void>;
}

/** A server on another origin (e.g. a redirect target) that answers every request alike and records what it got. */
export async function startOriginServer(
  answer: { status?: number; headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<OriginServer> {
  const requests: SeenRequest[] = [];
  const body = Buffer.from(answer.body ?? '');
  const listening = await listenOnLoopback((request, response) => {
    const url = request.url ?? '/';
    requests.push({
      method: request.method ?? 'GET',
      url,
      path: new URL(url, 'http://origin.invalid').pathname,
      headers: { ...request.headers },
      at: performance.now(),
    });
    request.resume();
    response.writeHead(answer.status ?? 200, { 'content-length': body.length, ...answer.headers });
    response.end(request.method === 'HEAD' ? undefined : body);
  });
  return { url: listening.origin, requests, stop: () => listening.close() };
}
