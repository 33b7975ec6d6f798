import { Readable } from 'node:stream';
import { RegistryError } from '../core/errors.js';
import type { FoundCredential } from '../credentials/types.js';
import { type Challenge, parseChallenges, preferredChallenge } from './auth/challenge.js';
import {
  basicAuthorization,
  type CredentialProvider,
  fetchToken,
  isHeaderSafe,
  pullScope,
  TokenCache,
} from './auth.js';
import { drain, readUpTo } from './body.js';
import { DEFAULT_DEADLINE, type DeadlinePolicy } from './http/deadline.js';
import { RequestLimiter } from './http/limiter.js';
import { proxyFor, proxyHost } from './http/proxy-env.js';
import {
  DEFAULT_RETRY_POLICY,
  isRetryableError,
  isRetryableStatus,
  parseRetryAfter,
  type RetryPolicy,
  retryDelay,
  sleep,
} from './http/retry.js';
import {
  type HttpRequest,
  type HttpResponse,
  headerValue,
  headerValues,
  Transport,
  type TransportOptions,
} from './http/transport.js';
import { networkError, type Peer } from './network-errors.js';
import { rateLimitedError } from './rate-limited.js';
import { RegistryText } from './registry-text.js';

export interface RegistryClientOptions {
  /** Registry as written in references: `host[:port]`, `docker.io` for Docker Hub. */
  registry: string;
  insecure: boolean;
  caFiles: string[];
  clientCertFile?: string;
  clientKeyFile?: string;
  maxConcurrency: number;
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

interface Endpoint {
  base: URL;
  challenge: Challenge | undefined;
}

const MAX_REDIRECTS = 5;
const MAX_ERROR_BODY = 64 * 1024;

/** Docker Hub's API lives on another host than its name in references. */
export function apiHostOf(registry: string): string {
  return registry === 'docker.io' ? 'registry-1.docker.io' : registry;
}

/** One registry host: scheme detection and ping, auth, retries, limits and redirects for every request to it. */
export class RegistryClient {
  readonly apiHost: string;
  private endpoint: Promise<Endpoint> | undefined;
  private readonly tokens = new TokenCache();
  private readonly limiter: RequestLimiter;
  private readonly transports = new Map<string, Transport>();
  private readonly credentialsByRepo = new Map<string, Promise<FoundCredential | undefined>>();
  /** Every text the registry or its token server sends passes through it before a message shows it. */
  private readonly text = new RegistryText();

  constructor(readonly options: RegistryClientOptions) {
    this.apiHost = apiHostOf(options.registry);
    this.limiter = options.limiter ?? new RequestLimiter(options.maxConcurrency, options.requestsPerSecond);
  }

  /** Sends a request with auth, retries and limits; returns whatever status the registry finally answered. */
  async request(req: RegistryRequest): Promise<HttpResponse> {
    const endpoint = await this.resolveEndpoint();
    let url = new URL(req.path, endpoint.base);
    if (endpoint.base.protocol === 'https:' && url.protocol !== 'https:') {
      throw new RegistryError(
        'InternalError',
        `refusing to send a request for ${this.text.show(req.path)} over plain http`,
      );
    }
    const scope = req.scope ?? pullScope(req.repository);
    let authorization =
      url.origin === endpoint.base.origin ? await this.authorization(endpoint, req.repository, scope) : undefined;
    const replayable = !(req.body instanceof Readable);
    let reauthenticated = !replayable;
    for (let redirects = 0; ; ) {
      const headers: Record<string, string> = { 'user-agent': this.options.userAgent, ...req.headers };
      if (req.accept) headers.accept = req.accept;
      if (authorization) headers.authorization = authorization;
      const ownOrigin = url.origin === endpoint.base.origin;
      const peer = ownOrigin ? this.peer() : this.peer('redirect target', url);
      const res = this.checked(
        await this.send({ method: req.method, url, headers, body: req.body }, peer, replayable),
        authorization,
      );
      if (res.status === 401 && !ownOrigin) {
        await drain(res);
        throw new RegistryError(
          'Unauthorized',
          `${this.text.show(req.path)}: the registry redirected to ${this.text.show(url.host)}, which asks for authentication; credentials for ${this.options.registry} are never sent to another host`,
          { status: 401 },
        );
      }
      if (res.status === 401 && !reauthenticated) {
        reauthenticated = true;
        const next = await this.reauthorize(endpoint, req.repository, res, scope).catch(async (error: unknown) => {
          await drain(res);
          throw error;
        });
        if (next !== undefined && next !== authorization) {
          await drain(res);
          authorization = next;
          continue;
        }
      }
      const location = headerValue(res.headers, 'location');
      if (req.followRedirects && isRedirect(res.status) && location) {
        await drain(res);
        if (++redirects > MAX_REDIRECTS)
          throw new RegistryError('InternalError', `too many redirects fetching ${this.text.show(req.path)}`);
        const next = URL.canParse(location, url.href) ? new URL(location, url) : undefined;
        if (!next) {
          throw new RegistryError(
            'InternalError',
            `the registry redirected to an invalid address ${this.text.quote(location)}`,
          );
        }
        if (url.protocol === 'https:' && next.protocol !== 'https:') {
          throw new RegistryError(
            'InternalError',
            `refusing a redirect from https to ${this.text.show(`${next.protocol}//${next.host}`)}`,
          );
        }
        if (next.origin !== url.origin) authorization = undefined;
        url = next;
        continue;
      }
      return res;
    }
  }

  /** Turns a non-success response into a RegistryError naming `what` (e.g. `manifest quay.io/a/b:1`). */
  async statusError(res: HttpResponse, what: string, repository: string): Promise<RegistryError> {
    const body = res.status === 401 || res.status >= 400 ? await readErrorBody(res) : undefined;
    // Whatever credential this repository may use is scrubbed from the registry's words, even if none was sent.
    await this.credentialFor(repository).catch(() => undefined);
    const codes = registryErrorCodes(body);
    const status = res.status;
    switch (true) {
      case status === 401:
        return new RegistryError('Unauthorized', await this.unauthorizedMessage(what, repository), { status });
      case status === 403:
        return new RegistryError('Forbidden', await this.forbiddenMessage(what, repository, body), { status });
      case status === 404:
        return new RegistryError('NotFound', notFoundMessage(what, this.options.registry, repository, codes), {
          status,
        });
      case status === 429:
        return rateLimitedError(what, res, this.options.retry);
      default:
        return new RegistryError('InternalError', `${what}: the registry answered HTTP ${status}${this.detail(body)}`, {
          status,
        });
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.transports.values()].map((t) => t.close()));
  }

  private async unauthorizedMessage(what: string, repository: string): Promise<string> {
    const found = await this.credentialFor(repository);
    if (found)
      return `authentication failed for ${what}: the credentials for ${this.options.registry} from ${found.source} were refused`;
    return `authentication required for ${what}: no credentials found for ${this.options.registry}${await this.lookedIn(repository)}`;
  }

  /** Says which credentials the denied request carried (where they came from, never the secret), or that none. */
  private async forbiddenMessage(what: string, repository: string, body: string | undefined): Promise<string> {
    const denied = `access to ${what} is denied (HTTP 403)${this.detail(body)}; credentials used:`;
    if (!(await this.resolveEndpoint()).challenge) return `${denied} none (the registry asked for none)`;
    const found = await this.credentialFor(repository);
    if (found) return `${denied} those for ${this.options.registry} from ${found.source}`;
    return `${denied} none: no credentials found for ${this.options.registry}${await this.lookedIn(repository)}`;
  }

  /** `: MESSAGE`, the registry's own words for an error (its first `errors[].message`), scrubbed; or nothing. */
  private detail(body: string | undefined): string {
    const message = registryErrorMessage(body);
    return message ? `: ${this.text.show(message)}` : '';
  }

  /** ` (looked in: A, B)`: the credential sources consulted for `repository`; empty when there are none. */
  private async lookedIn(repository: string): Promise<string> {
    const endpoint = await this.resolveEndpoint();
    const scheme = endpoint.base.protocol === 'http:' ? 'http' : 'https';
    const sources =
      this.options.credentials?.describeSources?.({ host: this.options.registry, scheme, repository }) ?? [];
    return sources.length > 0 ? ` (looked in: ${sources.join(', ')})` : '';
  }

  private resolveEndpoint(): Promise<Endpoint> {
    this.endpoint ??= this.ping();
    this.endpoint.catch(() => {
      this.endpoint = undefined;
    });
    return this.endpoint;
  }

  /** GET /v2/ over https (or http when insecure and TLS fails) to learn the scheme and the auth challenge. */
  private async ping(): Promise<Endpoint> {
    const https = new URL(`https://${this.apiHost}/v2/`);
    try {
      return await this.pingAt(https);
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      if (!this.options.insecure) throw this.networkError(error, https, this.peer(), false);
    }
    const http = new URL(`http://${this.apiHost}/v2/`);
    try {
      return await this.pingAt(http);
    } catch (error) {
      throw this.networkError(error, http, this.peer(), true);
    }
  }

  private async pingAt(url: URL): Promise<Endpoint> {
    const res = await this.sendRaw(
      { method: 'GET', url, headers: { 'user-agent': this.options.userAgent } },
      this.peer(),
    );
    const challenges = parseChallenges(headerValues(res.headers, 'www-authenticate'));
    await drain(res);
    if (res.status === 200) return { base: new URL('/', url), challenge: undefined };
    if (res.status === 401) {
      const challenge = preferredChallenge(challenges);
      if (!challenge) {
        throw new RegistryError(
          'Unauthorized',
          `registry ${this.options.registry} asks for an authentication scheme this client does not support`,
        );
      }
      return { base: new URL('/', url), challenge: this.unambiguous(challenge) };
    }
    if (res.status === 404) {
      throw new RegistryError(
        'NotFound',
        `${this.options.registry} does not serve the registry API (GET /v2/ answered 404)`,
        { status: 404 },
      );
    }
    if (res.status === 429) throw rateLimitedError(`registry ${this.options.registry}`, res, this.options.retry);
    throw new RegistryError(
      'InternalError',
      `registry ${this.options.registry} answered HTTP ${res.status} to GET /v2/`,
      { status: res.status },
    );
  }

  private async authorization(
    endpoint: Endpoint,
    repository: string,
    scope = pullScope(repository),
  ): Promise<string | undefined> {
    const challenge = endpoint.challenge;
    if (!challenge) return undefined;
    const found = await this.credentialFor(repository);
    if (challenge.scheme === 'basic') {
      return found?.credential.kind === 'basic'
        ? basicAuthorization(found.credential.username, found.credential.password)
        : undefined;
    }
    if (found?.credential.kind === 'registryToken') return this.registryTokenAuthorization(found);
    const request = {
      challenge,
      scope,
      found,
      registry: this.options.registry,
      allowPlainHttp: endpoint.base.protocol === 'http:' || this.options.insecure,
      text: this.text,
    };
    const token = await this.tokens.get(challenge, scope, () =>
      fetchToken(request, (r) =>
        this.send(
          { ...r, headers: { ...r.headers, 'user-agent': this.options.userAgent } },
          this.peer('token server', r.url),
        ),
      ),
    );
    return `Bearer ${token}`;
  }

  private registryTokenAuthorization(found: FoundCredential): string {
    const token = found.credential.kind === 'registryToken' ? found.credential.token : '';
    if (!isHeaderSafe(token)) {
      throw new RegistryError(
        'Unauthorized',
        `the registry token for ${this.options.registry} from ${found.source} cannot be sent: it holds characters an HTTP header cannot carry`,
      );
    }
    return `Bearer ${token}`;
  }

  /** The challenge, unless it gives a parameter twice: which one counts would be a guess, so it is refused. */
  private unambiguous(challenge: Challenge): Challenge {
    const twice = challenge.duplicates?.[0];
    if (twice === undefined) return challenge;
    throw new RegistryError(
      'Unauthorized',
      `registry ${this.options.registry} sent an authentication challenge that gives ${this.text.quote(twice, 40)} more than once; refused`,
    );
  }

  /**
   * After a 401: ask again with the challenge the registry just sent (a new scope for insufficient_scope, or a
   * challenge a registry that allowed an anonymous ping only gives per repository). Undefined when there is nothing to try.
   */
  private async reauthorize(
    endpoint: Endpoint,
    repository: string,
    res: HttpResponse,
    requested: string,
  ): Promise<string | undefined> {
    const offered = preferredChallenge(parseChallenges(headerValues(res.headers, 'www-authenticate')));
    const fresh = offered ? this.unambiguous(offered) : endpoint.challenge;
    if (!fresh) return undefined;
    endpoint.challenge ??= fresh;
    const scope = fresh.params.scope ?? requested;
    if (fresh.scheme === 'bearer') {
      this.tokens.invalidate(fresh, scope);
      if ((await this.credentialFor(repository))?.credential.kind === 'registryToken') return undefined;
    }
    return this.authorization({ ...endpoint, challenge: fresh }, repository, scope);
  }

  private credentialFor(repository: string): Promise<FoundCredential | undefined> {
    let found = this.credentialsByRepo.get(repository);
    if (!found) {
      found = this.resolveEndpoint()
        .then((endpoint) =>
          this.options.credentials?.find({
            host: this.options.registry,
            scheme: endpoint.base.protocol === 'http:' ? 'http' : 'https',
            repository,
          }),
        )
        .then((credential) => {
          if (credential) this.text.remember(credential.credential);
          return credential;
        });
      this.credentialsByRepo.set(repository, found);
    }
    return found;
  }

  /** One request with retries on 408/429/5xx and connection resets, within the registry's limits. */
  private async send(req: HttpRequest, peer: Peer, retry = true): Promise<HttpResponse> {
    try {
      return await this.sendRaw(req, peer, retry);
    } catch (error) {
      throw this.networkError(error, req.url, peer, this.options.insecure);
    }
  }

  private networkError(error: unknown, url: URL, peer: Peer, insecure: boolean): RegistryError {
    const proxy = proxyFor(url, this.options.env);
    return networkError(error, peer, insecure, proxy && proxyHost(proxy));
  }

  /** The registry itself, or another host a request for it went to; its name passes through the scrubber. */
  private peer(role?: 'token server' | 'redirect target', url?: URL): Peer {
    const registry = this.options.registry;
    if (!role || !url || url.host === this.apiHost) return { registry };
    return { registry, other: { role, host: this.text.show(url.host, 100) } };
  }

  /** The answer with every header that echoes a secret of the request blanked, and the check its body gets. */
  private checked(res: HttpResponse, authorization: string | undefined): HttpResponse {
    const echoCheck = this.text.echoCheck(authorization);
    return { ...res, headers: echoCheck.scrubHeaders(res.headers), echoCheck };
  }

  private async sendRaw(req: HttpRequest, peer: Peer, retry = true): Promise<HttpResponse> {
    const policy = retry ? this.options.retry : { ...this.options.retry, maxRetries: 0 };
    for (let attempt = 0; ; attempt++) {
      let res: HttpResponse;
      try {
        res = await this.limiter.run(() => this.transportFor(req.url, peer).send(req));
      } catch (error) {
        if (attempt < policy.maxRetries && isRetryableError(error)) {
          await sleep(retryDelay(attempt, undefined, policy));
          continue;
        }
        throw error;
      }
      if (!isRetryableStatus(res.status) || attempt >= policy.maxRetries) return res;
      const retryAfter = parseRetryAfter(headerValue(res.headers, 'retry-after'));
      if (retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs) return res;
      await drain(res);
      await sleep(retryDelay(attempt, retryAfter, policy));
    }
  }

  private transportFor(url: URL, peer: Peer): Transport {
    let transport = this.transports.get(url.origin);
    if (!transport) {
      const options: TransportOptions = {
        insecure: this.options.insecure,
        caFiles: this.options.caFiles,
        connections: this.options.maxConcurrency,
        connectTimeoutMs: this.options.connectTimeoutMs,
        bodyTimeoutMs: this.options.bodyTimeoutMs,
        deadline: this.options.deadline,
        peer,
      };
      const proxy = proxyFor(url, this.options.env);
      if (proxy) options.proxy = proxy;
      if (this.options.clientCertFile) options.clientCertFile = this.options.clientCertFile;
      if (this.options.clientKeyFile) options.clientKeyFile = this.options.clientKeyFile;
      transport = new Transport(options);
      this.transports.set(url.origin, transport);
    }
    return transport;
  }
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

async function readErrorBody(res: HttpResponse): Promise<string | undefined> {
  try {
    return Buffer.from(await readUpTo(res, MAX_ERROR_BODY, 'error body')).toString('utf8');
  } catch {
    return undefined;
  }
}

function registryErrorCodes(body: string | undefined): string[] {
  if (!body) return [];
  try {
    const doc = JSON.parse(body) as { errors?: { code?: unknown }[] };
    return (doc.errors ?? []).map((e) => String(e.code ?? ''));
  } catch {
    return [];
  }
}

/** The first `errors[].message` of a distribution error body, as the registry wrote it. */
function registryErrorMessage(body: string | undefined): string | undefined {
  if (!body) return undefined;
  try {
    const doc = JSON.parse(body) as { errors?: { message?: unknown }[] };
    const message = doc.errors?.[0]?.message;
    return typeof message === 'string' && message ? message : undefined;
  } catch {
    return undefined;
  }
}

function notFoundMessage(what: string, registry: string, repository: string, codes: string[]): string {
  if (codes.includes('NAME_UNKNOWN')) return `${what} not found: repository ${registry}/${repository} does not exist`;
  if (codes.includes('MANIFEST_UNKNOWN')) return `${what} not found: no such manifest`;
  if (codes.includes('BLOB_UNKNOWN')) return `${what} not found: the repository has no such blob`;
  return `${what} not found (HTTP 404)`;
}
