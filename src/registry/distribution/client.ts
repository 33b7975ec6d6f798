import { Readable } from 'node:stream';
import type { RegistryError } from '../../core/errors.js';
import { DOCKER_HUB, DOCKER_HUB_API_HOST } from '../../core/reference.js';
import { Authenticator } from '../auth/authenticator.js';
import { RegistryEndpoint } from '../auth/endpoint.js';
import type { CredentialProvider } from '../auth/repository-credentials.js';
import { RepositoryCredentials } from '../auth/repository-credentials.js';
import { pullScope } from '../auth/scopes.js';
import { drain } from '../body.js';
import { DEFAULT_DEADLINE, type DeadlinePolicy } from '../http/deadline.js';
import { limited, RequestLimiter } from '../http/limiter.js';
import type { WireProtocol } from '../http/multiplexed-pool.js';
import { followRedirects, requestUrl } from '../http/redirects.js';
import { RegistryText } from '../http/registry-text.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetries } from '../http/retry.js';
import type { Warn } from '../http/tls-context.js';
import type { Exchange, HttpResponse } from '../http/transport.js';
import { type PoolSettings, type TransportFactory, TransportPool } from '../http/transport-pool.js';
import { failureWording, withWordedFailures } from '../http/worded-failures.js';
import { type AnswerContext, statusError } from '../wording/answers.js';
import { crossOriginChallenge } from '../wording/auth.js';
import { peerAt } from '../wording/network.js';
import { PreparedRequests } from './prepared-requests.js';

export interface RegistryClientOptions {
  /** Registry as written in references: `host[:port]`, `docker.io` for Docker Hub. */
  registry: string;
  insecure: boolean;
  caFiles: string[];
  clientCertFile?: string;
  clientKeyFile?: string;
  maxConcurrency: number;
  /** Offer HTTP/2 to TLS registries (see http/multiplexed-pool.ts); `IMAGESTREAMS_HTTP2=1` in `env` does too. */
  http2: boolean;
  /** Told the protocol of each connection made to any origin of the registry. */
  connected?: (protocol: WireProtocol) => void;
  /** Told of a problem the requests go on despite (see TransportOptions). */
  warn?: Warn;
  requestsPerSecond?: number;
  /** Shared by every client of one host, so that its limits hold whatever settings entry a tag reaches it by. */
  limiter?: RequestLimiter;
  credentials?: CredentialProvider;
  retry: RetryPolicy;
  connectTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Every request must be complete within this grace period plus the time its size takes at a floor rate. */
  deadline: DeadlinePolicy;
  env: NodeJS.ProcessEnv;
  userAgent: string;
}

export const DEFAULT_CLIENT_OPTIONS = {
  insecure: false,
  caFiles: [] as string[],
  maxConcurrency: 8,
  // Off: at equal maxConcurrency HTTP/1.1 was as fast or faster in `npm run bench -- --rtt 50` (at 64 in flight, a
  // 1,000-tag no-op plan 1.5 s against 1.9 s over HTTP/2), with less memory.
  http2: false,
  retry: DEFAULT_RETRY_POLICY,
  connectTimeoutMs: 15_000,
  bodyTimeoutMs: 60_000,
  deadline: DEFAULT_DEADLINE,
  userAgent: 'imagestreams',
};

export interface RegistryRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  /**
   * Path below the API root, e.g. `/v2/library/alpine/manifests/latest`, or a URL the registry gave (an upload
   * `Location`); credentials are only sent to the registry's own origin.
   */
  path: string;
  /** Repository the request is about (token scope, credential lookup). */
  repository: string;
  /** Token scope, `repository:NAME:pull` by default; scopes are separated by spaces. */
  scope?: string;
  accept?: string;
  headers?: Record<string, string>;
  /** A stream body is sent once: no retry, no second attempt after a 401. */
  body?: string | Uint8Array | Readable;
  /** Follow redirects (blob downloads); credentials never cross to another origin. */
  followRedirects?: boolean;
}

/** Docker Hub's API lives on another host than its name in references. */
export function apiHostOf(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : registry;
}

/**
 * One registry host: every request to it goes through the layers below, each in its module — the endpoint (ping,
 * plain-http fallback), authentication, redirects, retries, the limiter and a transport per origin — and every
 * message about its answers is worded in registry/wording/.
 */
export class RegistryClient {
  readonly apiHost: string;
  /** Every text the registry or its token server sends passes through it before a message shows it. */
  private readonly text = new RegistryText();
  private readonly pool: TransportPool;
  private readonly send: Exchange;
  private readonly endpoint: RegistryEndpoint;
  private readonly credentials: RepositoryCredentials;
  private readonly auth: Authenticator;
  private readonly answers: AnswerContext;
  private readonly limiter: RequestLimiter;
  /** Requests `prepare` was told are coming that no connections have been set up for yet. */
  private readonly prepared = new PreparedRequests();

  constructor(
    readonly options: RegistryClientOptions,
    /** Makes the transport of each origin; undici's by default. */
    transport?: TransportFactory,
  ) {
    const { registry, insecure, userAgent, retry, env } = options;
    const apiHost = apiHostOf(registry);
    const text = this.text;
    this.apiHost = apiHost;
    this.pool = new TransportPool(poolSettings(options), transport);
    const limiter = options.limiter ?? new RequestLimiter(options.maxConcurrency, options.requestsPerSecond);
    this.limiter = limiter;
    const unworded = withRetries(limited(this.pool.send, limiter), retry);
    const word = failureWording(env, insecure);
    this.send = withWordedFailures(unworded, word);
    this.endpoint = new RegistryEndpoint({ registry, apiHost, insecure, userAgent, retry, text, send: unworded, word });
    this.credentials = new RepositoryCredentials(registry, options.credentials, () => this.endpoint.scheme(), text);
    const { endpoint, credentials, send } = this;
    this.auth = new Authenticator({ registry, apiHost, insecure, userAgent, text, endpoint, credentials, send });
    this.answers = answerContext(options, text, endpoint, credentials);
  }

  /** Sends a request with auth, retries and limits; returns whatever status the registry finally answered. */
  async request(req: RegistryRequest): Promise<HttpResponse> {
    const { base } = await this.endpoint.get();
    const start = requestUrl(req.path, base, this.text);
    const authorization = await this.auth.forRequest(req.repository, req.scope ?? pullScope(req.repository), {
      sendsCredentials: start.origin === base.origin,
      renewable: !(req.body instanceof Readable),
    });
    return followRedirects(start, (url) => authorization.send((header) => this.hop(req, url, base, header)), {
      follow: req.followRedirects === true,
      path: req.path,
      text: this.text,
      leftOrigin: () => authorization.leftOrigin(),
    });
  }

  /**
   * Text about this registry from elsewhere (a cluster's import message), safe to show: scrubbed of every form of the
   * credential `repository` is reached with, made printable on one line and clipped.
   */
  async shown(text: string, repository: string): Promise<string> {
    await this.credentials.find(repository);
    return this.text.show(text);
  }

  /** The root the registry's API answers at (`https://host[:port]/`), once its endpoint is known. */
  async apiBase(): Promise<URL> {
    return new URL((await this.endpoint.get()).base);
  }

  /**
   * The ping and the authorization requests about `repository` with token `scope` need (a read's by default),
   * fetched ahead of the first of them; while the token is on its way, connections are set up for the `requests`
   * about to come (those prepared since connections were last set up, within the host's maxConcurrency), and closed
   * again while unclaimed if every authorization they were set up for fails (see PreparedRequests).
   */
  async prepare(repository: string, scope = pullScope(repository), requests = 1): Promise<void> {
    const authorized = this.auth.authorization(repository, scope);
    const prepared = this.prepared.add(requests, authorized);
    this.warmBesideToken(repository).catch(() => this.prepared.forget(prepared));
    await authorized;
  }

  /**
   * Sets up the connections `prepare` was told of once the registry answered its ping. The token request is sent
   * from the immediates of the turn its credential is found in (see TokenBatcher): the connections are set up after
   * it has left, not ahead of it. A failure is the ping's or the credential's, which the requests meet again.
   */
  private async warmBesideToken(repository: string): Promise<void> {
    const { base } = await this.endpoint.get();
    await this.credentials.find(repository);
    setImmediate(() => this.prepared.warm((requests) => this.pool.warm(base, requests, this.limiter.sparePlaces)));
  }

  /** Turns a non-success response into a RegistryError naming `what` (e.g. `manifest quay.io/a/b:1`). */
  statusError(res: HttpResponse, what: string, repository: string): Promise<RegistryError> {
    return statusError(res, what, repository, this.answers);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  /**
   * One hop of a request: its answer's headers are scrubbed of the secrets it carried; a host the registry redirected
   * to that asks for authentication gets none.
   */
  private async hop(
    req: RegistryRequest,
    url: URL,
    base: URL,
    authorization: string | undefined,
  ): Promise<HttpResponse> {
    const headers: Record<string, string> = { 'user-agent': this.options.userAgent, ...req.headers };
    if (req.accept) headers.accept = req.accept;
    if (authorization) headers.authorization = authorization;
    const ownOrigin = url.origin === base.origin;
    const registry = this.options.registry;
    const peer = peerAt(registry, this.apiHost, this.text, ownOrigin ? undefined : { role: 'redirect target', url });
    const res = await this.send({ method: req.method, url, headers, body: req.body }, peer);
    const echoCheck = this.text.echoCheck(authorization);
    const checked = { status: res.status, headers: echoCheck.scrubHeaders(res.headers), body: res.body, echoCheck };
    if (checked.status === 401 && !ownOrigin) {
      await drain(checked);
      throw crossOriginChallenge(req.path, url, registry, this.text);
    }
    return checked;
  }
}

function poolSettings(options: RegistryClientOptions): PoolSettings {
  const { insecure, caFiles, connectTimeoutMs, bodyTimeoutMs, deadline, env } = options;
  const settings: PoolSettings = {
    insecure,
    caFiles,
    connections: options.maxConcurrency,
    http2: options.http2 || env.IMAGESTREAMS_HTTP2 === '1',
    connectTimeoutMs,
    bodyTimeoutMs,
    deadline,
    env,
  };
  if (options.connected) settings.connected = options.connected;
  if (options.warn) settings.warn = options.warn;
  if (options.clientCertFile) settings.clientCertFile = options.clientCertFile;
  if (options.clientKeyFile) settings.clientKeyFile = options.clientKeyFile;
  return settings;
}

/** What registry/wording/answers.ts is told of this client to word the registry's refusals. */
function answerContext(
  options: RegistryClientOptions,
  text: RegistryText,
  endpoint: RegistryEndpoint,
  credentials: RepositoryCredentials,
): AnswerContext {
  return {
    registry: options.registry,
    text,
    retry: options.retry,
    credential: (repository) => credentials.find(repository),
    sources: (repository) => credentials.sources(repository),
    challenged: async () => (await endpoint.get()).challenge !== undefined,
  };
}
