import type { Credential, FoundCredential } from '../../credentials/types.js';
import type { RegistryText } from '../http/registry-text.js';
import type { Exchange, HttpResponse } from '../http/transport.js';
import { unsendableRegistryToken } from '../wording/auth.js';
import { peerAt } from '../wording/network.js';
import { basicAuthorization, isHeaderSafe } from './authorization-header.js';
import { type Challenge, offeredChallenge } from './challenge.js';
import type { Endpoint, RegistryEndpoint } from './endpoint.js';
import type { RepositoryCredentials } from './repository-credentials.js';
import { RequestAuthorization } from './request-authorization.js';
import { TokenBatcher } from './token-batch.js';
import { TokenCache } from './token-cache.js';
import { fetchToken, type TokenRequest } from './token-fetch.js';

type CredentialOf<Kind extends Credential['kind']> = Extract<Credential, { kind: Kind }>;

export interface AuthenticatorOptions {
  registry: string;
  /** The host the registry's API is served at. */
  apiHost: string;
  /** A token server over plain http is allowed for an insecure registry. */
  insecure: boolean;
  userAgent: string;
  text: RegistryText;
  endpoint: Pick<RegistryEndpoint, 'get'>;
  credentials: RepositoryCredentials;
  /** Sends token requests. */
  send: Exchange;
  tokens?: TokenCache;
}

/**
 * The Authorization header of each request to one registry: none, Basic, or Bearer with a token from the token server
 * (cached), as the registry's challenge asks; and a fresh one after a 401.
 */
export class Authenticator {
  private readonly tokens: TokenCache;
  private readonly batcher = new TokenBatcher((request) => this.fetchToken(request));
  /** The Basic or Bearer header of each credential found, built once: a token may be kilobytes long. */
  private readonly credentialHeaders = new WeakMap<Credential, string>();

  constructor(private readonly options: AuthenticatorOptions) {
    this.tokens = options.tokens ?? new TokenCache();
  }

  /**
   * The authorization of one request about `repository` with token `scope`: none when it goes to another origin than
   * the registry's; renewed once after a 401 unless its body cannot be sent twice.
   */
  async forRequest(
    repository: string,
    scope: string,
    request: { sendsCredentials: boolean; renewable: boolean },
  ): Promise<RequestAuthorization> {
    const header = request.sendsCredentials ? await this.authorization(repository, scope) : undefined;
    return new RequestAuthorization(this, { repository, scope, header, renewable: request.renewable });
  }

  /** The Authorization header for `repository` and `scope`, or undefined when the registry asks for none. */
  async authorization(repository: string, scope: string): Promise<string | undefined> {
    const endpoint = await this.options.endpoint.get();
    return this.authorizationFor(endpoint, endpoint.challenge, repository, scope, true);
  }

  /**
   * After a 401: asks again with the challenge the registry just sent (a new scope for insufficient_scope, or a
   * challenge a registry that allowed an anonymous ping only gives per repository). Undefined when there is nothing to try.
   * The token is asked for alone when the refused request carried one (which may have been asked for together).
   */
  async reauthorize(
    repository: string,
    res: HttpResponse,
    requested: string,
    refused = { carried: true },
  ): Promise<string | undefined> {
    const endpoint = await this.options.endpoint.get();
    const fresh = offeredChallenge(res, this.options.registry, this.options.text) ?? endpoint.challenge;
    if (!fresh) return undefined;
    endpoint.challenge ??= fresh;
    const scope = fresh.params.scope ?? requested;
    if (fresh.scheme === 'bearer') {
      this.tokens.invalidate(fresh, scope);
      if ((await this.options.credentials.find(repository))?.credential.kind === 'registryToken') return undefined;
    }
    return this.authorizationFor(endpoint, fresh, repository, scope, !refused.carried);
  }

  private async authorizationFor(
    endpoint: Endpoint,
    challenge: Challenge | undefined,
    repository: string,
    scope: string,
    /** Whether the token may be asked for together with others (not when the registry refused one of those). */
    joinable: boolean,
  ): Promise<string | undefined> {
    if (!challenge) return undefined;
    const found = await this.options.credentials.find(repository);
    const credential = found?.credential;
    if (challenge.scheme === 'basic') return credential?.kind === 'basic' ? this.basicHeader(credential) : undefined;
    if (found && credential?.kind === 'registryToken') return this.registryTokenHeader(credential, found.source);
    const fetch = () => this.batcher.fetch(this.tokenRequest(endpoint, challenge, scope, found), joinable);
    return this.tokens.header(challenge, scope, fetch);
  }

  private tokenRequest(
    endpoint: Endpoint,
    challenge: Challenge,
    scope: string,
    found: FoundCredential | undefined,
  ): TokenRequest {
    const allowPlainHttp = endpoint.base.protocol === 'http:' || this.options.insecure;
    return { challenge, scope, found, registry: this.options.registry, allowPlainHttp, text: this.options.text };
  }

  private fetchToken(request: TokenRequest) {
    const { registry, apiHost, text, userAgent, send } = this.options;
    return fetchToken(request, (r) =>
      send(
        { ...r, headers: { ...r.headers, 'user-agent': userAgent } },
        peerAt(registry, apiHost, text, { role: 'token server', url: r.url }),
      ),
    );
  }

  private basicHeader(credential: CredentialOf<'basic'>): string {
    return this.credentialHeader(credential, () => basicAuthorization(credential.username, credential.password));
  }

  private registryTokenHeader(credential: CredentialOf<'registryToken'>, source: FoundCredential['source']): string {
    return this.credentialHeader(credential, () => {
      if (!isHeaderSafe(credential.token)) throw unsendableRegistryToken(this.options.registry, source);
      return `Bearer ${credential.token}`;
    });
  }

  /** The header `credential` is sent in, built (and checked) at its first request. */
  private credentialHeader(credential: Credential, build: () => string): string {
    let header = this.credentialHeaders.get(credential);
    if (header === undefined) {
      header = build();
      this.credentialHeaders.set(credential, header);
    }
    return header;
  }
}
