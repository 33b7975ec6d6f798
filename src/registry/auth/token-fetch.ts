import type { FoundCredential } from '../../credentials/types.js';
import { readCapped } from '../body.js';
import type { RegistryText } from '../http/registry-text.js';
import { DEFAULT_RETRY_POLICY } from '../http/retry.js';
import type { HttpResponse } from '../http/transport.js';
import { badTokenAnswer, invalidRealm, plainHttpRealm, tokenAnswerError, tokenServerName } from '../wording/auth.js';
import { basicAuthorization, isHeaderSafe } from './authorization-header.js';
import type { Challenge } from './challenge.js';
import { scopeList } from './scopes.js';
import type { CachedToken } from './token-cache.js';

/** Sends one token request; the client supplies retries, limits and TLS. */
export type TokenFetch = (request: {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string;
}) => Promise<HttpResponse>;

const MAX_TOKEN_RESPONSE = 1024 * 1024;
const MIN_TOKEN_LIFETIME_S = 60;
const EXPIRY_MARGIN_MS = 5_000;

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
  const realm = tokenRealm(request);
  const credential = request.found?.credential;
  const res =
    credential?.kind === 'identityToken'
      ? await send(refreshTokenRequest(realm, request, credential.token))
      : await send(tokenGetRequest(realm, request));
  return parseTokenResponse(res, request, tokenServerName(realm, request.registry, request.text), now);
}

function refreshTokenRequest(realm: URL, request: TokenRequest, refreshToken: string): Parameters<TokenFetch>[0] {
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: 'imagestreams',
  });
  const service = request.challenge.params.service;
  if (service) form.set('service', service);
  if (request.scope) form.set('scope', request.scope);
  return {
    method: 'POST',
    url: realm,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  };
}

function tokenGetRequest(realm: URL, request: TokenRequest): Parameters<TokenFetch>[0] {
  const url = new URL(realm);
  const service = request.challenge.params.service;
  if (service) url.searchParams.set('service', service);
  for (const one of scopeList(request.scope)) url.searchParams.append('scope', one);
  const headers: Record<string, string> = {};
  const credential = request.found?.credential;
  if (credential?.kind === 'basic') {
    url.searchParams.set('account', credential.username);
    headers.authorization = basicAuthorization(credential.username, credential.password);
  }
  return { method: 'GET', url, headers };
}

async function parseTokenResponse(
  res: HttpResponse,
  request: TokenRequest,
  server: string,
  now: () => number,
): Promise<CachedToken> {
  const body = await readCapped(res, MAX_TOKEN_RESPONSE, `token response from ${server}`);
  const refused = tokenAnswerError(res, server, request.found, DEFAULT_RETRY_POLICY);
  if (refused) throw refused;
  let doc: { token?: unknown; access_token?: unknown; expires_in?: unknown; issued_at?: unknown };
  try {
    doc = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    throw badTokenAnswer(server, 'answered with invalid JSON');
  }
  const token = typeof doc.token === 'string' && doc.token ? doc.token : doc.access_token;
  if (typeof token !== 'string' || token === '') throw badTokenAnswer(server, 'answered without a token');
  const lifetime = Math.max(MIN_TOKEN_LIFETIME_S, typeof doc.expires_in === 'number' ? doc.expires_in : 0);
  const expiresAt = now() + lifetime * 1000;
  request.text.rememberToken(token, expiresAt);
  if (!isHeaderSafe(token)) throw badTokenAnswer(server, 'answered with a token an HTTP header cannot carry');
  return { token, expiresAt: expiresAt - EXPIRY_MARGIN_MS };
}

/** The realm of a Bearer challenge, refused when it is not a URL, or names plain http where TLS is required. */
function tokenRealm(request: TokenRequest): URL {
  const { challenge, registry, text } = request;
  const realm = challenge.params.realm;
  const url = realm && URL.canParse(realm) ? new URL(realm) : undefined;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw invalidRealm(registry, realm, text);
  if (url.protocol === 'http:' && !request.allowPlainHttp) throw plainHttpRealm(registry, url, text);
  return url;
}
