import { RegistryError } from '../core/errors.js';
import type { CredentialStore, FoundCredential } from '../credentials/types.js';
import type { Challenge } from './auth/challenge.js';
import { readCapped } from './body.js';
import { DEFAULT_RETRY_POLICY } from './http/retry.js';
import { type HttpResponse, headerValue } from './http/transport.js';
import { rateLimitedError } from './rate-limited.js';
import type { RegistryText } from './registry-text.js';

/** What the client needs of a credential store. */
export type CredentialProvider = Pick<CredentialStore, 'find'> & Partial<Pick<CredentialStore, 'describeSources'>>;

/** Sends one token request; the client supplies retries, limits and TLS. */
export type TokenFetch = (request: {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string;
}) => Promise<HttpResponse>;

interface CachedToken {
  token: string;
  expiresAt: number;
}

const MAX_TOKEN_RESPONSE = 1024 * 1024;
const MIN_TOKEN_LIFETIME_S = 60;
const EXPIRY_MARGIN_MS = 5_000;
/** Visible ASCII only: what a token sent as a header value may hold. */
const HEADER_SAFE_TOKEN = /^[\x21-\x7e]+$/;

export function isHeaderSafe(token: string): boolean {
  return HEADER_SAFE_TOKEN.test(token);
}

/** Bearer tokens cached by (realm, service, scope) until they expire; concurrent requests for one token share a fetch. */
export class TokenCache {
  private readonly tokens = new Map<string, Promise<CachedToken>>();

  constructor(private readonly now: () => number = Date.now) {}

  async get(challenge: Challenge, scope: string, fetchToken: () => Promise<CachedToken>): Promise<string> {
    const key = cacheKey(challenge, scope);
    const cached = this.tokens.get(key);
    if (cached) {
      const token = await cached.catch(() => undefined);
      if (token && token.expiresAt > this.now()) return token.token;
      if (this.tokens.get(key) === cached) this.tokens.delete(key);
      return this.get(challenge, scope, fetchToken);
    }
    const pending = fetchToken();
    this.tokens.set(key, pending);
    pending.catch(() => this.tokens.delete(key));
    return (await pending).token;
  }

  invalidate(challenge: Challenge, scope: string): void {
    this.tokens.delete(cacheKey(challenge, scope));
  }
}

function cacheKey(challenge: Challenge, scope: string): string {
  return `${challenge.params.realm ?? ''}\u0000${challenge.params.service ?? ''}\u0000${scope}`;
}

/** What a token is fetched for, and how. */
export interface TokenRequest {
  challenge: Challenge;
  scope: string;
  found: FoundCredential | undefined;
  /** The registry that sent the challenge, for messages. */
  registry: string;
  /** A realm over plain http is refused unless the registry itself is reached over plain http or is insecure. */
  allowPlainHttp: boolean;
  /** Scrubs what the registry and the token server say before it enters a message; learns the token. */
  text: RegistryText;
}

/**
 * Fetches a bearer token from the challenge's realm (Docker token spec): anonymous or Basic-authenticated GET, or an
 * OAuth2 `refresh_token` POST for identity tokens.
 */
export async function fetchToken(
  request: TokenRequest,
  send: TokenFetch,
  now: () => number = Date.now,
): Promise<CachedToken> {
  const { challenge, scope, found } = request;
  const realm = tokenRealm(request);
  const service = challenge.params.service;
  const credential = found?.credential;
  let res: HttpResponse;
  if (credential?.kind === 'identityToken') {
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: credential.token,
      client_id: 'imagestreams',
    });
    if (service) form.set('service', service);
    if (scope) form.set('scope', scope);
    res = await send({
      method: 'POST',
      url: realm,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
  } else {
    const url = new URL(realm);
    if (service) url.searchParams.set('service', service);
    for (const one of scope.split(' ').filter(Boolean)) url.searchParams.append('scope', one);
    const headers: Record<string, string> = {};
    if (credential?.kind === 'basic') {
      url.searchParams.set('account', credential.username);
      headers.authorization = basicAuthorization(credential.username, credential.password);
    }
    res = await send({ method: 'GET', url, headers });
  }
  return parseTokenResponse(res, request, tokenServerName(realm, request), now);
}

async function parseTokenResponse(
  res: HttpResponse,
  request: TokenRequest,
  server: string,
  now: () => number,
): Promise<CachedToken> {
  const body = await readCapped(res, MAX_TOKEN_RESPONSE, `token response from ${server}`);
  if (res.status === 401 || res.status === 403) {
    const who = request.found ? `the credentials from ${request.found.source}` : 'anonymous access';
    throw new RegistryError(res.status === 401 ? 'Unauthorized' : 'Forbidden', `${server} refused ${who}`, {
      status: res.status,
    });
  }
  if (res.status === 429) throw rateLimitedError(server, res, DEFAULT_RETRY_POLICY);
  if (res.status >= 300) {
    throw new RegistryError('InternalError', `${server} answered HTTP ${res.status}`, { status: res.status });
  }
  let doc: { token?: unknown; access_token?: unknown; expires_in?: unknown; issued_at?: unknown };
  try {
    doc = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    throw new RegistryError('InternalError', `${server} answered with invalid JSON`);
  }
  const token = typeof doc.token === 'string' && doc.token ? doc.token : doc.access_token;
  if (typeof token !== 'string' || token === '') {
    throw new RegistryError('InternalError', `${server} answered without a token`);
  }
  const lifetime = Math.max(MIN_TOKEN_LIFETIME_S, typeof doc.expires_in === 'number' ? doc.expires_in : 0);
  const expiresAt = now() + lifetime * 1000;
  request.text.rememberToken(token, expiresAt);
  if (!isHeaderSafe(token)) {
    throw new RegistryError('InternalError', `${server} answered with a token an HTTP header cannot carry`);
  }
  return { token, expiresAt: expiresAt - EXPIRY_MARGIN_MS };
}

/** `token server ORIGIN/PATH of registry REGISTRY`: where a token request went, for messages. */
function tokenServerName(realm: URL, request: TokenRequest): string {
  return `token server ${request.text.show(`${realm.origin}${realm.pathname}`)} of registry ${request.registry}`;
}

/** The realm of a Bearer challenge, refused when it is not a URL, or names plain http where TLS is required. */
function tokenRealm(request: TokenRequest): URL {
  const { challenge, registry, text } = request;
  const realm = challenge.params.realm;
  const url = realm && URL.canParse(realm) ? new URL(realm) : undefined;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new RegistryError(
      'InternalError',
      `registry ${registry} sent a Bearer challenge with an invalid realm ${text.quote(realm ?? '')}`,
    );
  }
  if (url.protocol === 'http:' && !request.allowPlainHttp) {
    throw new RegistryError(
      'Unauthorized',
      `registry ${registry} is reached over https but names a token server over plain http (realm ${text.show(`${url.origin}${url.pathname}`)}): refused, no credentials were sent; the registry must give an https realm, or set "insecure: true" for ${registry} to allow it`,
    );
  }
  return url;
}

export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

export function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

/** The error code of a `WWW-Authenticate` Bearer challenge, e.g. `insufficient_scope`. */
export function challengeError(res: HttpResponse): string | undefined {
  return /error="?([a-z_]+)/i.exec(headerValue(res.headers, 'www-authenticate') ?? '')?.[1];
}
