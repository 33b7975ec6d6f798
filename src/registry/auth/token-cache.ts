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

/** The fetch of one token, and the token once it has come: the requests after it take it without waiting. */
interface TokenSlot {
  pending: Promise<BearerEntry>;
  entry?: BearerEntry;
}

/**
 * Bearer tokens of one registry, cached by (realm, service, scope) until they expire; concurrent requests for one
 * token share a fetch.
 */
export class TokenCache {
  private readonly slots = new Map<string, TokenSlot>();

  constructor(private readonly now: () => number = Date.now) {}

  async get(challenge: Challenge, scope: string, fetchToken: () => Promise<CachedToken>): Promise<string> {
    return (await this.entry(challenge, scope, fetchToken)).token;
  }

  /** The `Bearer …` header of the token `get` gives: one string per token, however many requests carry it. */
  async header(challenge: Challenge, scope: string, fetchToken: () => Promise<CachedToken>): Promise<string> {
    return (await this.entry(challenge, scope, fetchToken)).header;
  }

  invalidate(challenge: Challenge, scope: string): void {
    this.slots.delete(cacheKey(challenge, scope));
  }

  private async entry(
    challenge: Challenge,
    scope: string,
    fetchToken: () => Promise<CachedToken>,
  ): Promise<BearerEntry> {
    const key = cacheKey(challenge, scope);
    const slot = this.slots.get(key);
    if (!slot) return this.fetch(key, fetchToken);
    // The requests that waited for a fetch that failed fail with it: each fetching again in turn would make one
    // token server outage as many times as long as there were requests waiting.
    const entry = slot.entry ?? (await slot.pending);
    if (entry.expiresAt > this.now()) return entry;
    if (this.slots.get(key) === slot) this.slots.delete(key);
    return this.entry(challenge, scope, fetchToken);
  }

  private fetch(key: string, fetchToken: () => Promise<CachedToken>): Promise<BearerEntry> {
    const slot: TokenSlot = {
      pending: fetchToken().then(({ token, expiresAt }) => {
        slot.entry = { token, expiresAt, header: `Bearer ${token}` };
        return slot.entry;
      }),
    };
    this.slots.set(key, slot);
    slot.pending.catch(() => {
      if (this.slots.get(key) === slot) this.slots.delete(key);
    });
    return slot.pending;
  }
}

function cacheKey(challenge: Challenge, scope: string): string {
  return `${challenge.params.realm ?? ''}\u0000${challenge.params.service ?? ''}\u0000${scope}`;
}
