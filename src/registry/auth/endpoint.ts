import { RegistryError } from '../../core/errors.js';
import { drain } from '../body.js';
import type { RegistryText } from '../http/registry-text.js';
import type { RetryPolicy } from '../http/retry.js';
import type { Exchange } from '../http/transport.js';
import type { FailureWording } from '../http/worded-failures.js';
import { pingError } from '../wording/answers.js';
import { unsupportedChallenge } from '../wording/auth.js';
import { type Challenge, offeredChallenge } from './challenge.js';

/** Where the registry's API is, and the authentication it asked for when pinged (none: anonymous). */
export interface Endpoint {
  base: URL;
  challenge: Challenge | undefined;
}

export interface EndpointOptions {
  /** The registry as written in references, for messages. */
  registry: string;
  /** The host its API is served at. */
  apiHost: string;
  /** Plain http is tried when TLS fails. */
  insecure: boolean;
  userAgent: string;
  retry: RetryPolicy;
  text: RegistryText;
  /** Sends the ping; its failures come back unworded, for the fallback to plain http to look at. */
  send: Exchange;
  word: FailureWording;
  now?: () => number;
}

/**
 * How long a ping that got no answer (the registry unreachable, its TLS failing or never completing, the deadline
 * missed) is remembered: the other repositories of the registry fail at once with the same error, instead of each
 * waiting out its own connection attempts. Long enough for a run, short enough for `watch` to try again.
 */
export const UNANSWERED_PING_MEMORY_MS = 60_000;

/** The worded failures of a ping that got no answer. */
const UNANSWERED = new Set<string>(['Unreachable', 'TLSError']);

/**
 * The registry's endpoint, learnt by a ping, once; again after a ping the registry answered with an error, and after
 * `UNANSWERED_PING_MEMORY_MS` when it did not answer at all.
 */
export class RegistryEndpoint {
  private pending: Promise<Endpoint> | undefined;
  private unanswered: { error: unknown; until: number } | undefined;
  private readonly now: () => number;

  constructor(private readonly options: EndpointOptions) {
    this.now = options.now ?? Date.now;
  }

  get(): Promise<Endpoint> {
    if (this.unanswered && this.now() < this.unanswered.until) return Promise.reject(this.unanswered.error);
    if (!this.pending) {
      const pending = this.ping();
      this.pending = pending;
      pending.catch((error: unknown) => {
        if (this.pending === pending) this.pending = undefined;
        if (error instanceof RegistryError && UNANSWERED.has(error.reason)) {
          this.unanswered = { error, until: this.now() + UNANSWERED_PING_MEMORY_MS };
        }
      });
    }
    return this.pending;
  }

  async scheme(): Promise<'http' | 'https'> {
    return (await this.get()).base.protocol === 'http:' ? 'http' : 'https';
  }

  /**
   * GET /v2/ over https, or over plain http when the registry is insecure and the https attempt failed below HTTP (an
   * answer, even an error, means TLS worked).
   */
  private async ping(): Promise<Endpoint> {
    const { apiHost, insecure, word } = this.options;
    const https = new URL(`https://${apiHost}/v2/`);
    try {
      return await this.pingAt(https);
    } catch (error) {
      if (!insecure || isAnswer(error)) throw word(error, https, this.peer());
    }
    const http = new URL(`http://${apiHost}/v2/`);
    try {
      return await this.pingAt(http);
    } catch (error) {
      throw word(error, http, this.peer());
    }
  }

  private async pingAt(url: URL): Promise<Endpoint> {
    const { registry, userAgent, retry, text } = this.options;
    const res = await this.options.send({ method: 'GET', url, headers: { 'user-agent': userAgent } }, this.peer());
    await drain(res);
    const base = new URL('/', url);
    if (res.status === 200) return { base, challenge: undefined };
    if (res.status !== 401) throw pingError(res, registry, retry);
    const challenge = offeredChallenge(res, registry, text);
    if (!challenge) throw unsupportedChallenge(registry);
    return { base, challenge };
  }

  private peer(): { registry: string } {
    return { registry: this.options.registry };
  }
}

/** A RegistryError: the ping got an answer it refused, or a failure already worded (a missed deadline). */
function isAnswer(error: unknown): boolean {
  return error instanceof RegistryError;
}
