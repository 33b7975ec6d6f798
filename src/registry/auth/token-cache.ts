import type { Challenge } from './challenge.js';

/** A bearer token and when it stops being used (a little before the token server said it expires). */
export interface CachedToken {
  token: string;
  expiresAt: number;
}

/** A cached token and the Authorization header that carries it, built once for every request it is sent with. */
interface BearerEntry extends CachedToken {
  header: string;
}

/**
 * Bearer tokens of one registry, cached by (realm, service, scope) until they expire; concurrent requests for one
 * token share a fetch.
 */
export class TokenCache {
  private readonly tokens = new Map<string, Promise<BearerEntry>>();

  constructor(private readonly now: () => number = Date.now) {}

  async get(challenge: Challenge, scope: string, fetchToken: () => Promise<CachedToken>): Promise<string> {
    return (await this.entry(challenge, scope, fetchToken)).token;
  }

  /** The `Bearer …` header of the token `get` gives: one string per token, however many requests carry it. */
  async header(challenge: Challenge, scope: string, fetchToken: () => Promise<CachedToken>): Promise<string> {
    return (await this.entry(challenge, scope, fetchToken)).header;
  }

  invalidate(challenge: Challenge, scope: string): void {
    this.tokens.delete(cacheKey(challenge, scope));
  }

  private async entry(
    challenge: Challenge,
    scope: string,
    fetchToken: () => Promise<CachedToken>,
  ): Promise<BearerEntry> {
    const key = cacheKey(challenge, scope);
    const cached = this.tokens.get(key);
    if (cached) {
      const entry = await cached.catch(() => undefined);
      if (entry && entry.expiresAt > this.now()) return entry;
      if (this.tokens.get(key) === cached) this.tokens.delete(key);
      return this.entry(challenge, scope, fetchToken);
    }
    const pending = fetchToken().then(({ token, expiresAt }) => ({ token, expiresAt, header: `Bearer ${token}` }));
    this.tokens.set(key, pending);
    pending.catch(() => this.tokens.delete(key));
    return pending;
  }
}

function cacheKey(challenge: Challenge, scope: string): string {
  return `${challenge.params.realm ?? ''}\u0000${challenge.params.service ?? ''}\u0000${scope}`;
}
