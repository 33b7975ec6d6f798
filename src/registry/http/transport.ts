import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { SecureContext } from 'node:tls';
import type { Dispatcher } from 'undici';
import { RegistryError } from '../../core/errors.js';
import { networkError, type Peer, timedOutError } from '../wording/network.js';
import { type DeadlinePolicy, deadlineInterceptor } from './deadline.js';
import { multiplexedPoolFactory, type WireProtocol } from './multiplexed-pool.js';
import { proxyHost } from './proxy-env.js';
import type { EchoCheck } from './registry-text.js';
import {
  type ConnectTarget,
  type SocketConnector,
  type SpareBatch,
  SpareConnections,
  type SparePlaces,
} from './spare-connections.js';
import { sharedSecureContext, type TlsMaterial, type Warn } from './tls-context.js';
import { Agent, buildConnector, ProxyAgent } from './undici-parts.js';

/** TLS and connection settings for one registry host. */
export interface TransportOptions {
  /** Skip TLS verification (plain-http fallback is decided by the client). */
  insecure: boolean;
  /** Extra CA bundles (PEM file paths), added to the system CAs. */
  caFiles: string[];
  clientCertFile?: string;
  clientKeyFile?: string;
  /** Parallel requests to the origin: over HTTP/1.1 that many connections, over HTTP/2 that many streams of one. */
  connections: number;
  /** Offer HTTP/2 in TLS handshakes; plain http is always HTTP/1.1 (no h2c). */
  http2: boolean;
  /** Told the protocol of each connection once it is up. */
  connected?: (protocol: WireProtocol) => void;
  /** Told of a problem the connections go on despite: a NODE_EXTRA_CA_CERTS file that cannot be used. */
  warn?: Warn;
  /** The longest TCP and TLS set-up of a connection; never more than the deadline's grace period. */
  connectTimeoutMs: number;
  /** Longest silence allowed between body chunks or before headers. */
  bodyTimeoutMs: number;
  /** The overall deadline of each request (see deadline.ts). */
  deadline: DeadlinePolicy;
  /** Whom the requests go to, for the errors met while a response body streams. */
  peer: Peer;
  /** Forward proxy URL for this host (from `proxyFor`): CONNECT tunnels for https, absolute-URI requests for http. */
  proxy?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
  /** Looks for the request's secrets in the body; set on the answers to registry requests (see RegistryText). */
  echoCheck?: EchoCheck;
}

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: URL;
  headers: Record<string, string>;
  /** A stream body is sent once: it cannot be replayed for a retry. */
  body?: string | Uint8Array | Readable;
  signal?: AbortSignal;
}

/** Sends one request to whichever peer its URL names; each layer of the client wraps the one below it. */
export type Exchange = (req: HttpRequest, peer: Peer) => Promise<HttpResponse>;

/** What the client needs of the connections to one origin. */
export interface OriginTransport {
  send(req: HttpRequest): Promise<HttpResponse>;
  /**
   * Sets up connections to `origin` until `connections` are up or on their way, for requests about to come, each
   * taking one of `places` until a request claims it or it is closed.
   */
  warm?(origin: URL, connections: number, places?: SparePlaces): SpareBatch | undefined;
  close(): Promise<void>;
}

/** A keep-alive connection pool for one registry origin, with its TLS settings and proxy. */
export class Transport implements OriginTransport {
  private readonly dispatcher: Dispatcher;
  /** Absent through a proxy, and when HTTP/2 is offered: one connection may then carry every request. */
  private readonly spares: SpareConnections | undefined;

  constructor(readonly options: TransportOptions) {
    const { dispatcher, spares } = createDispatcher(options);
    this.dispatcher = dispatcher;
    this.spares = spares;
  }

  warm(origin: URL, connections: number, places?: SparePlaces): SpareBatch | undefined {
    return this.spares?.warm(connectTarget(origin), Math.min(connections, this.options.connections), places);
  }

  async send(req: HttpRequest): Promise<HttpResponse> {
    const res = await this.dispatcher.request({
      origin: req.url.origin,
      path: `${req.url.pathname}${req.url.search}`,
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: req.signal,
      // undici closes the connection after a HEAD unless told otherwise; registries send no body with HEAD, and a
      // no-op plan is one HEAD per tag, so keeping the connection saves a TCP (and TLS) handshake per tag.
      reset: false,
      headersTimeout: this.options.bodyTimeoutMs,
      bodyTimeout: this.options.bodyTimeoutMs,
    });
    return { status: res.statusCode, headers: res.headers, body: res.body };
  }

  async close(): Promise<void> {
    this.spares?.close();
    await this.dispatcher.close();
  }
}

/** What undici's pool asks its connector for a connection to `origin`. */
function connectTarget(origin: URL): ConnectTarget {
  const bracketed = origin.hostname.startsWith('[');
  return {
    host: origin.host,
    hostname: bracketed ? origin.hostname.slice(1, -1) : origin.hostname,
    protocol: origin.protocol,
    port: origin.port,
  };
}

/** The dispatcher of one origin, and the spare connections its connector takes first, when it has them. */
interface OriginDispatcher {
  dispatcher: Dispatcher;
  spares?: SpareConnections;
}

function createDispatcher(options: TransportOptions): OriginDispatcher {
  const proxy = options.proxy && proxyHost(options.proxy);
  const { dispatcher, spares } = baseDispatcher(options);
  const deadline = deadlineInterceptor(options.deadline, {
    missed: (progress) => timedOutError(options.peer, progress, options.deadline),
    bodyError: (error) => networkError(error, options.peer, options.insecure, proxy),
  });
  return { dispatcher: dispatcher.compose(deadline), ...(spares && { spares }) };
}

/**
 * HTTP/2 flow-control windows: with undici's (256 KiB a stream, 512 KiB a connection) a layer downloads at most
 * ~10 MB/s from a registry 50 ms away; these stay below the 10 MB an HTTP/2 connection may hold buffered in Node.
 */
const H2_WINDOWS = { initialWindowSize: 4 * 1024 * 1024, connectionWindowSize: 8 * 1024 * 1024 };

/** How long a connection is kept idle, pooled or set up ahead and not yet asked for, when the server names no time. */
export const KEEP_ALIVE_MS = 30_000;

function baseDispatcher(options: TransportOptions): OriginDispatcher {
  const tls = { ...tlsOptions(options), allowH2: options.http2 };
  const connectTimeout = connectTimeoutOf(options);
  const multiplexing = { streams: options.connections, ...(options.connected && { connected: options.connected }) };
  const common = {
    connections: options.connections,
    pipelining: 1,
    keepAliveTimeout: KEEP_ALIVE_MS,
    connectTimeout,
    factory: multiplexedPoolFactory(multiplexing),
    ...H2_WINDOWS,
  };
  if (options.proxy) {
    // Plain http goes as absolute-URI requests: proxies commonly allow CONNECT to port 443 only.
    return { dispatcher: new ProxyAgent({ ...common, uri: options.proxy, requestTls: tls, proxyTunnel: false }) };
  }
  const connector = buildConnector({ ...tls, timeout: connectTimeout }) as SocketConnector;
  if (options.http2) return { dispatcher: new Agent({ ...common, connect: connector }) };
  const spares = new SpareConnections(connector, { idleMs: KEEP_ALIVE_MS });
  return { dispatcher: new Agent({ ...common, connect: spares.connector }), spares };
}

/**
 * The deadline's clock starts once a connection is up: its set-up (TCP, and a TLS handshake a registry may never
 * complete) is bounded by the grace period as well.
 */
export function connectTimeoutOf(options: Pick<TransportOptions, 'connectTimeoutMs' | 'deadline'>): number {
  return Math.min(options.connectTimeoutMs, options.deadline.graceMs);
}

function tlsOptions(options: TransportOptions): { secureContext?: SecureContext; rejectUnauthorized: boolean } {
  const material: TlsMaterial = { caPems: options.caFiles.map((f) => readPem(f, 'CA bundle')) };
  if (options.clientCertFile && options.clientKeyFile) {
    material.cert = readPem(options.clientCertFile, 'client certificate');
    material.key = readPem(options.clientKeyFile, 'client key');
  }
  const custom = material.caPems.length > 0 || material.cert !== undefined;
  return {
    rejectUnauthorized: !options.insecure,
    ...(custom && { secureContext: sharedSecureContext(material, options.peer.registry, options.warn) }),
  };
}

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new RegistryError(
      'TLSError',
      `cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
}

export function headerValue(headers: HttpResponse['headers'], name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function headerValues(headers: HttpResponse['headers'], name: string): string[] {
  const value = headers[name.toLowerCase()];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
