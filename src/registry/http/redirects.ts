import { drain } from '../body.js';
import { downgradingRedirect, invalidRedirect, plainHttpRequest, tooManyRedirects } from '../wording/redirects.js';
import type { RegistryText } from './registry-text.js';
import { type HttpResponse, headerValue } from './transport.js';

const MAX_REDIRECTS = 5;

export interface RedirectOptions {
  /** Whether redirects are followed (blob downloads) or returned as they are. */
  follow: boolean;
  /** The request's path, for messages. */
  path: string;
  text: RegistryText;
  /** Told when a redirect leaves the origin of the hop before it: the credentials stay behind. */
  leftOrigin(): void;
}

/**
 * The URL of a request for `path`, below the API root or a URL the registry gave (an upload `Location`): never plain
 * http when the registry is reached over https.
 */
export function requestUrl(path: string, base: URL, text: RegistryText): URL {
  const url = new URL(path, base);
  if (base.protocol === 'https:' && url.protocol !== 'https:') throw plainHttpRequest(path, text);
  return url;
}

/** Sends `hop` to `start` and, when asked to, to each place it redirects to: at most five, never from https to http. */
export async function followRedirects(
  start: URL,
  hop: (url: URL) => Promise<HttpResponse>,
  options: RedirectOptions,
): Promise<HttpResponse> {
  let url = start;
  for (let redirects = 0; ; ) {
    const res = await hop(url);
    const location = headerValue(res.headers, 'location');
    if (!options.follow || !isRedirect(res.status) || !location) return res;
    await drain(res);
    if (++redirects > MAX_REDIRECTS) throw tooManyRedirects(options.path, options.text);
    const next = redirectTarget(url, location, options.text);
    if (next.origin !== url.origin) options.leftOrigin();
    url = next;
  }
}

function redirectTarget(from: URL, location: string, text: RegistryText): URL {
  const next = URL.canParse(location, from.href) ? new URL(location, from) : undefined;
  if (!next) throw invalidRedirect(location, text);
  if (from.protocol === 'https:' && next.protocol !== 'https:') throw downgradingRedirect(next, text);
  return next;
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}
