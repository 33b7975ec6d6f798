import { RegistryError } from '../../core/errors.js';
import type { Credential } from '../../credentials/types.js';
import { scopeList } from './scopes.js';
import type { CachedToken } from './token-cache.js';
import type { TokenRequest } from './token-fetch.js';

/**
 * Most scopes asked for in one token request. A token server puts each granted scope in the token (some 70 bytes
 * each in a JWT), and the token travels in every request's headers, which proxies often cap at 8 KiB.
 */
export const MAX_SCOPES_PER_TOKEN = 16;

interface Waiter {
  request: TokenRequest;
  resolve: (token: CachedToken) => void;
  reject: (error: unknown) => void;
}

interface Batch {
  waiters: Waiter[];
  scopes: Set<string>;
  sent: boolean;
}

/**
 * Joins the token requests made in the same turn of the event loop for one token server, with the same credential,
 * into one request asking for all their scopes (the token spec lets `scope` repeat): a plan over twenty repositories
 * opens one connection to the token server instead of twenty. A server that refuses such a request is asked again
 * one scope at a time (after a 401 to credentials, only once one scope asked alone has shown them right); one that
 * grants fewer scopes than asked is caught by the registry's 401, which asks for that scope alone.
 */
export class TokenBatcher {
  private readonly open = new Map<string, Batch>();

  constructor(
    private readonly fetchOne: (request: TokenRequest) => Promise<CachedToken>,
    private readonly maxScopes = MAX_SCOPES_PER_TOKEN,
  ) {}

  fetch(request: TokenRequest): Promise<CachedToken> {
    return new Promise((resolve, reject) => {
      const key = batchKey(request);
      const scopes = scopeList(request.scope);
      let batch = this.open.get(key);
      if (batch && countWith(batch.scopes, scopes) > this.maxScopes) {
        this.send(key, batch);
        batch = undefined;
      }
      if (!batch) {
        const fresh: Batch = { waiters: [], scopes: new Set(), sent: false };
        this.open.set(key, fresh);
        setImmediate(() => this.send(key, fresh));
        batch = fresh;
      }
      batch.waiters.push({ request, resolve, reject });
      for (const scope of scopes) batch.scopes.add(scope);
    });
  }

  private send(key: string, batch: Batch): void {
    if (batch.sent) return;
    batch.sent = true;
    if (this.open.get(key) === batch) this.open.delete(key);
    const [first, ...rest] = batch.waiters;
    if (!first) return;
    if (rest.length === 0) {
      this.ask(first.request).then(first.resolve, first.reject);
      return;
    }
    const joined = { ...first.request, scope: [...batch.scopes].join(' ') };
    this.ask(joined).then(
      (token) => {
        for (const waiter of batch.waiters) waiter.resolve(token);
      },
      (error: unknown) => {
        if (refusedCredentials(error, joined) && batch.scopes.size > 1) this.probeCredentials(batch.waiters);
        else if (askAlone(error, joined)) this.askEachAlone(batch.waiters);
        else rejectAll(batch.waiters, error);
      },
    );
  }

  /**
   * After a 401 to credentials sent for several scopes, which some token servers (Portus among them) answer when one
   * scope is denied: one request asked alone tells. A 401 again says the credentials are wrong, and fails them all; a
   * token, or a refusal of that scope only, says they are right, and each other request is asked alone. Each request
   * is asked alone at most once, whatever the server answers.
   */
  private probeCredentials(waiters: Waiter[]): void {
    const probe = waiters.find((waiter) => scopeList(waiter.request.scope).length === 1) ?? waiters[0]!;
    const others = waiters.filter((waiter) => waiter !== probe);
    this.ask(probe.request).then(
      (token) => {
        probe.resolve(token);
        this.askEachAlone(others);
      },
      (error: unknown) => {
        probe.reject(error);
        if (askAlone(error, probe.request)) this.askEachAlone(others);
        else rejectAll(others, error);
      },
    );
  }

  private askEachAlone(waiters: Waiter[]): void {
    for (const waiter of waiters) this.ask(waiter.request).then(waiter.resolve, waiter.reject);
  }

  /** The token server's answer, a throw included: no request is left waiting, however the fetch fails. */
  private ask(request: TokenRequest): Promise<CachedToken> {
    return new Promise((resolve) => resolve(this.fetchOne(request)));
  }
}

/**
 * A refusal worth asking again one scope at a time: the server answered, but not with a token (it may not take
 * several scopes, or deny one of them). Not when it is unreachable, failing or rate-limiting: asking more often
 * would not help; nor after a 401 to credentials, which the token spec keeps for credentials that failed to
 * authenticate: sending a wrong password once more per repository could lock its account. (A 401 to anonymous
 * requests may come from one private repository among public ones.)
 */
function askAlone(error: unknown, request: TokenRequest): boolean {
  if (!(error instanceof RegistryError) || error.status === undefined) return false;
  if (refusedCredentials(error, request)) return false;
  return error.status >= 400 && error.status < 500 && error.status !== 429;
}

function refusedCredentials(error: unknown, request: TokenRequest): boolean {
  return error instanceof RegistryError && error.status === 401 && request.found !== undefined;
}

function rejectAll(waiters: Waiter[], error: unknown): void {
  for (const waiter of waiters) waiter.reject(error);
}

/**
 * Requests that may share a token: same token server, service and credential found in the same place (a refusal
 * names that place), over the same schemes. JSON keeps fields apart whatever characters they hold.
 */
function batchKey({ challenge, found, allowPlainHttp }: TokenRequest): string {
  const { realm = '', service = '' } = challenge.params;
  return JSON.stringify([realm, service, found?.source ?? null, credentialFields(found?.credential), allowPlainHttp]);
}

function credentialFields(credential: Credential | undefined): (string | null)[] {
  switch (credential?.kind) {
    case undefined:
      return ['anonymous'];
    case 'basic':
      return ['basic', credential.username, credential.password];
    case 'identityToken':
      return ['identity', credential.username ?? null, credential.token];
    case 'registryToken':
      return ['registry', credential.token];
  }
}

function countWith(scopes: Set<string>, more: string[]): number {
  return scopes.size + more.filter((scope) => !scopes.has(scope)).length;
}
