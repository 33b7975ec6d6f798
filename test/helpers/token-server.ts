import { createPrivateKey, randomUUID, sign, X509Certificate } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { makeTempDir, removeTempDir } from './cleanup.js';
import { type ListeningServer, listenOnLoopback, readBody, type ServerTls } from './http-server.js';
import { type CertificateFiles, generateSigningCertificate } from './tls.js';

export interface TokenUser {
  password: string;
  /** Actions this user may be granted; all requested actions when absent. */
  actions?: readonly string[];
  /**
   * Repositories this user is refused with 401, as Portus does, and with them any request naming one of them among
   * other scopes.
   */
  denied?: readonly string[];
}

export interface TokenServerOptions {
  /** username → password (or a user with restricted actions). */
  users?: Record<string, string | TokenUser>;
  /** When false, requests without credentials get 401. Default true: anonymous users get `pull`. */
  anonymousPull?: boolean;
  /** Token lifetime in seconds (default 300). */
  expiresIn?: number;
  service?: string;
  issuer?: string;
  /** Serve over https with this certificate (e.g. the registry PKI's server certificate). */
  tls?: ServerTls;
  /** Which token fields the JSON response carries (default both, as Docker Hub does). */
  responseFields?: 'both' | 'token' | 'access_token';
  signing?: CertificateFiles;
  /** How a request for several scopes is answered (default `grant`); `setSeveralScopes` changes it later. */
  severalScopes?: SeveralScopes;
}

/**
 * Answers to a token request naming several scopes: all of them granted (as distribution's token servers do), only
 * the first granted, or the request refused with 400.
 */
export type SeveralScopes = 'grant' | 'grant-first' | 'refuse';

export interface TokenRequestRecord {
  method: string;
  path: string;
  /** Query (GET) or form (POST) parameters, without passwords and refresh tokens. */
  params: Record<string, string[]>;
  service?: string;
  scopes: string[];
  grantType?: string;
  /** True when the client authenticated (Basic header, password grant or refresh token). */
  hasCredentials: boolean;
  username?: string;
  status: number;
}

export interface AccessEntry {
  type: string;
  name: string;
  actions: string[];
}

export interface TokenServer {
  /** The realm to put in the registry's `auth.token.realm`. */
  realm: string;
  origin: string;
  service: string;
  issuer: string;
  /** The self-signed certificate whose key signs the tokens: the registry's `rootcertbundle`. */
  signingCertPath: string;
  readonly requests: TokenRequestRecord[];
  clearRequests(): void;
  setSeveralScopes(answer: SeveralScopes): void;
  stop(): Promise<void>;
}

const SECRET_PARAMS = new Set(['password', 'refresh_token']);
const DEFAULT_ACTIONS = ['pull', 'push', 'delete', '*'];

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export function parseScope(scope: string): AccessEntry | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return undefined;
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(',') };
}

/** Decodes a JWT's claims without verifying it (tests read `access` and `exp`). */
export function decodeJwtClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (!payload) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

interface Grant {
  username?: string;
  allowed: readonly string[];
  denied?: readonly string[];
}

interface Credentials {
  username: string;
  password: string;
}

class TokenIssuer {
  private readonly refreshTokens = new Map<string, string>();
  private readonly x5c: string;
  private readonly privateKey;

  constructor(
    private readonly options: TokenServerOptions,
    readonly service: string,
    readonly issuer: string,
    signing: CertificateFiles,
  ) {
    this.x5c = new X509Certificate(signing.certPem).raw.toString('base64');
    this.privateKey = createPrivateKey(signing.keyPem);
  }

  authenticate(credentials: Credentials | undefined): Grant | 'refused' {
    if (!credentials) return this.options.anonymousPull === false ? 'refused' : { allowed: ['pull'] };
    const user = this.options.users?.[credentials.username];
    const entry = typeof user === 'string' ? { password: user } : user;
    if (!entry || entry.password !== credentials.password) return 'refused';
    return this.grantFor(credentials.username);
  }

  grantFor(username: string): Grant {
    const user = this.options.users?.[username];
    const restricted = typeof user === 'object' ? user : undefined;
    return { username, allowed: restricted?.actions ?? DEFAULT_ACTIONS, denied: restricted?.denied };
  }

  refreshTokenFor(username: string): string {
    const token = randomUUID();
    this.refreshTokens.set(token, username);
    return token;
  }

  userOfRefreshToken(token: string): string | undefined {
    return this.refreshTokens.get(token);
  }

  jwt(grant: Grant, scopes: string[]): { token: string; expiresIn: number; issuedAt: Date } {
    const expiresIn = this.options.expiresIn ?? 300;
    const issuedAt = new Date();
    const now = Math.floor(issuedAt.getTime() / 1000);
    const access = scopes
      .map(parseScope)
      .filter((entry): entry is AccessEntry => entry !== undefined)
      .map((entry) => ({ ...entry, actions: entry.actions.filter((action) => grant.allowed.includes(action)) }));
    const header = { typ: 'JWT', alg: 'RS256', x5c: [this.x5c] };
    const claims = {
      iss: this.issuer,
      sub: grant.username ?? '',
      aud: this.service,
      exp: now + expiresIn,
      nbf: now,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(input), this.privateKey);
    return { token: `${input}.${base64url(signature)}`, expiresIn, issuedAt };
  }
}

function deniesAny(grant: Grant, scopes: string[]): boolean {
  return scopes.some((scope) => grant.denied?.includes(parseScope(scope)?.name ?? '') ?? false);
}

function basicCredentials(request: IncomingMessage): Credentials | undefined {
  const header = request.headers.authorization;
  if (!header?.toLowerCase().startsWith('basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function scopesOf(params: URLSearchParams): string[] {
  return params.getAll('scope').flatMap((scope) => scope.split(' ').filter(Boolean));
}

function recordedParams(params: URLSearchParams): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const key of new Set(params.keys())) if (!SECRET_PARAMS.has(key)) result[key] = params.getAll(key);
  return result;
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

function unauthorized(response: ServerResponse, message: string): void {
  sendJson(
    response,
    401,
    { errors: [{ code: 'UNAUTHORIZED', message }] },
    {
      'www-authenticate': 'Basic realm="imagestreams test token server"',
    },
  );
}

type Outcome = { status: number; username?: string; grantType?: string; hasCredentials: boolean };

/**
 * A Docker token server (distribution's token auth spec): `GET ?service=&scope=&account=[&offline_token=true]` with
 * optional Basic credentials, and the OAuth2 `POST` form with `grant_type=password|refresh_token`.
 */
export async function startTokenServer(options: TokenServerOptions = {}): Promise<TokenServer> {
  const ownSigningDir = options.signing ? undefined : makeTempDir('imagestreams-signing-');
  const signing = options.signing ?? generateSigningCertificate(ownSigningDir);
  const issuer = new TokenIssuer(
    options,
    options.service ?? 'imagestreams-test-registry',
    options.issuer ?? 'imagestreams-test-issuer',
    signing,
  );
  const requests: TokenRequestRecord[] = [];
  const fields = options.responseFields ?? 'both';
  let severalScopes = options.severalScopes ?? 'grant';

  const grantedScopes = (params: URLSearchParams) =>
    severalScopes === 'grant-first' ? scopesOf(params).slice(0, 1) : scopesOf(params);

  function respondWithToken(response: ServerResponse, grant: Grant, scopes: string[], refreshToken?: string): void {
    const { token, expiresIn, issuedAt } = issuer.jwt(grant, scopes);
    const body: Record<string, unknown> = { expires_in: expiresIn, issued_at: issuedAt.toISOString() };
    if (fields !== 'access_token') body.token = token;
    if (fields !== 'token') body.access_token = token;
    if (scopes.length > 0) body.scope = scopes.join(' ');
    if (refreshToken) body.refresh_token = refreshToken;
    sendJson(response, 200, body);
  }

  function handleGet(request: IncomingMessage, response: ServerResponse, params: URLSearchParams): Outcome {
    const credentials = basicCredentials(request);
    const grant = issuer.authenticate(credentials);
    if (grant === 'refused') {
      unauthorized(response, credentials ? 'incorrect username or password' : 'authentication required');
      return { status: 401, hasCredentials: credentials !== undefined };
    }
    if (deniesAny(grant, scopesOf(params))) {
      unauthorized(response, 'access denied');
      return { status: 401, username: grant.username, hasCredentials: true };
    }
    const refresh =
      grant.username && params.get('offline_token') === 'true' ? issuer.refreshTokenFor(grant.username) : undefined;
    respondWithToken(response, grant, grantedScopes(params), refresh);
    return { status: 200, username: grant.username, hasCredentials: credentials !== undefined };
  }

  function handlePost(response: ServerResponse, params: URLSearchParams): Outcome {
    const grantType = params.get('grant_type') ?? undefined;
    let username: string | undefined;
    if (grantType === 'password') {
      const password = params.get('password');
      const name = params.get('username');
      const grant = name && password !== null ? issuer.authenticate({ username: name, password }) : 'refused';
      if (grant !== 'refused') username = name ?? undefined;
    } else if (grantType === 'refresh_token') {
      username = issuer.userOfRefreshToken(params.get('refresh_token') ?? '');
    } else {
      sendJson(response, 400, { error: 'unsupported_grant_type' });
      return { status: 400, grantType, hasCredentials: false };
    }
    if (!username) {
      unauthorized(response, grantType === 'password' ? 'incorrect username or password' : 'invalid refresh token');
      return { status: 401, grantType, hasCredentials: true };
    }
    const refresh =
      grantType === 'refresh_token'
        ? (params.get('refresh_token') ?? undefined)
        : params.get('access_type') === 'offline'
          ? issuer.refreshTokenFor(username)
          : undefined;
    const grant = issuer.grantFor(username);
    if (deniesAny(grant, scopesOf(params))) {
      unauthorized(response, 'access denied');
      return { status: 401, username, grantType, hasCredentials: true };
    }
    respondWithToken(response, grant, grantedScopes(params), refresh);
    return { status: 200, username, grantType, hasCredentials: true };
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://token.invalid');
    const params =
      request.method === 'POST'
        ? new URLSearchParams((await readBody(request, 64 * 1024)).toString('utf8'))
        : url.searchParams;
    let outcome: Outcome;
    if (severalScopes === 'refuse' && scopesOf(params).length > 1) {
      sendJson(response, 400, { errors: [{ code: 'DENIED', message: 'one scope per token' }] });
      outcome = { status: 400, hasCredentials: false };
    } else if (request.method === 'GET') outcome = handleGet(request, response, params);
    else if (request.method === 'POST') outcome = handlePost(response, params);
    else {
      sendJson(response, 405, { error: 'method not allowed' });
      outcome = { status: 405, hasCredentials: false };
    }
    requests.push({
      method: request.method ?? '',
      path: url.pathname,
      params: recordedParams(params),
      service: params.get('service') ?? undefined,
      scopes: scopesOf(params),
      grantType: outcome.grantType,
      hasCredentials: outcome.hasCredentials,
      username: outcome.username,
      status: outcome.status,
    });
  }

  const listening: ListeningServer = await listenOnLoopback((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: String(error) });
      else response.destroy();
    });
  }, options.tls);

  return {
    realm: `${listening.origin}/token`,
    origin: listening.origin,
    service: issuer.service,
    issuer: issuer.issuer,
    signingCertPath: signing.certPath,
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    setSeveralScopes: (answer) => {
      severalScopes = answer;
    },
    async stop() {
      await listening.close();
      if (ownSigningDir) removeTempDir(ownSigningDir);
    },
  };
}
