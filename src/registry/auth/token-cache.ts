import type { Challenge } from './challenge.js';

/** A bearer token and when it stops being used (a little before the token server said it expires). */
export interface CachedToken {
  token: string;
  expiresAt: number;
}

/**
 * Bearer tokens of one registry, cached by (realm, service, scope) until they expire; concurrent requests for one
 * token share a fetch.
 */
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
