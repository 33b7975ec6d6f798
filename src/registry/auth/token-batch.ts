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
  key: string;
  waiters: Waiter[];
  scopes: Set<string>;
  sent: boolean;
}

/** How long what a check of one credential found holds: a refusal is not sent again, an acceptance not checked again. */
export const CREDENTIAL_VERDICT_MS = 60_000;

/** What asking for a token with no scope, as `docker login` does, said of a credential. */
type Verdict = { accepted: true } | { accepted: false; refusal: unknown } | undefined;

/**
 * Joins the token requests made in the same turn of the event loop for one token server, with the same credential,
 * into one request asking for all their scopes (the token spec lets `scope` repeat): a plan over twenty repositories
 * opens one connection to the token server instead of twenty. A server that refuses such a request is asked again
 * one scope at a time; one that grants fewer scopes than asked is caught by the registry's 401, which asks for that
 * scope alone.
 *
 * A 401 to credentials may mean they are wrong, or (from Portus and servers like it) that one of the scopes is denied.
 * A token request with no scope tells: refused credentials fail every request made with them for a minute without
 * being sent again, so that a wrong password is sent a few times per command however many repositories it reads,
 * not once per repository or tag.
 */
export class TokenBatcher {
  private readonly open = new Map<string, Batch>();
  private readonly verdicts = new Map<string, { verdict: Verdict; until: number }>();
  private readonly checking = new Map<string, Promise<Verdict>>();

  constructor(
    private readonly fetchOne: (request: TokenRequest) => Promise<CachedToken>,
    private readonly maxScopes = MAX_SCOPES_PER_TOKEN,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * A token for `request`, asked for together with the others of this turn unless `joinable` is false (the registry
   * refused a token asked for together). While the credential is being checked, the request waits for what the check
   * finds: refused credentials are not sent.
   */
  fetch(request: TokenRequest, joinable = true): Promise<CachedToken> {
    const key = batchKey(request);
    const checking = this.checking.get(key);
    if (checking) return checking.then(() => this.fetch(request, joinable));
    return new Promise((resolve, reject) => {
      const known = this.verdictOf(key);
      if (known?.accepted === false) {
        reject(known.refusal);
        return;
      }
      const waiter = { request, resolve, reject };
      if (!joinable) {
        this.send({ key, waiters: [waiter], scopes: new Set(scopeList(request.scope)), sent: false });
        return;
      }
      const scopes = scopeList(request.scope);
      let batch = this.open.get(key);
      if (batch && countWith(batch.scopes, scopes) > this.maxScopes) {
        this.send(batch);
        batch = undefined;
      }
      if (!batch) {
        const fresh: Batch = { key, waiters: [], scopes: new Set(), sent: false };
        this.open.set(key, fresh);
        setImmediate(() => this.send(fresh));
        batch = fresh;
      }
      batch.waiters.push(waiter);
      for (const scope of scopes) batch.scopes.add(scope);
    });
  }

  private send(batch: Batch): void {
    if (batch.sent) return;
    batch.sent = true;
    if (this.open.get(batch.key) === batch) this.open.delete(batch.key);
    const [first, ...rest] = batch.waiters;
    if (!first) return;
    const asked = rest.length === 0 ? first.request : { ...first.request, scope: [...batch.scopes].join(' ') };
    this.ask(asked).then(
      (token) => {
        for (const waiter of batch.waiters) waiter.resolve(token);
      },
      (error: unknown) => {
        if (refusedCredentials(error, asked)) this.afterRefusedCredentials(batch, error);
        else if (rest.length > 0 && askAlone(error)) this.askEachAlone(batch.waiters);
        else rejectAll(batch.waiters, error);
      },
    );
  }

  /**
   * After a 401 to credentials: once they are shown right, the scopes were denied, and each request of several is
   * asked alone (its own 401 is its own refusal). Shown wrong, or when the check cannot tell, they all fail with
   * the 401: a wrong password is not sent again once per repository.
   */
  private afterRefusedCredentials(batch: Batch, refusal: unknown): void {
    this.credentialVerdict(batch.key, batch.waiters[0]!.request).then((verdict) => {
      if (verdict?.accepted && batch.waiters.length > 1) this.askEachAlone(batch.waiters);
      else rejectAll(batch.waiters, verdict?.accepted === false ? verdict.refusal : refusal);
    });
  }

  /** What the token server says of the credential of `key`: known for a minute, or asked once however many wait. */
  private credentialVerdict(key: string, request: TokenRequest): Promise<Verdict> {
    const known = this.verdictOf(key);
    if (known) return Promise.resolve(known);
    let pending = this.checking.get(key);
    if (!pending) {
      pending = this.ask({ ...request, scope: '' }).then(
        (): Verdict => ({ accepted: true }),
        (error: unknown): Verdict =>
          refusedCredentials(error, request) ? { accepted: false, refusal: error } : undefined,
      );
      this.checking.set(key, pending);
      pending.then((verdict) => {
        this.checking.delete(key);
        if (verdict) this.verdicts.set(key, { verdict, until: this.now() + CREDENTIAL_VERDICT_MS });
      });
    }
    return pending;
  }

  private verdictOf(key: string): Verdict {
    const known = this.verdicts.get(key);
    if (known && known.until > this.now()) return known.verdict;
    this.verdicts.delete(key);
    return undefined;
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
 * would not help. (A 401 to credentials is checked first, see TokenBatcher; one to anonymous requests may come from
 * one private repository among public ones.)
 */
function askAlone(error: unknown): boolean {
  if (!(error instanceof RegistryError) || error.status === undefined) return false;
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
