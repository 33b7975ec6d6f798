import { quoted } from '../../core/echoed-text.js';
import { RegistryError } from '../../core/errors.js';
import { isTag } from '../../core/reference-grammar.js';
import { drain, readCapped } from '../body.js';
import { headerValue } from '../http/transport.js';
import type { RegistryClient } from './client.js';

/** Tags asked for per page; a registry may answer with fewer (or ignore `n` and send them all at once). */
export const TAG_PAGE_SIZE = 1000;
/** The most bytes one page of a tag list may take. */
export const MAX_TAG_PAGE_BYTES = 4 * 1024 * 1024;
/** A listing longer than this is taken for a registry that never ends it. */
export const MAX_LISTED_TAGS = 1_000_000;
/** Pages of one listing, so that a registry sending endless empty or tiny pages is stopped too. */
export const MAX_TAG_PAGES = 10_000;

export interface TagPagesOptions {
  /** What a repository the registry does not know gives: an error (a source), or no tags (a destination). */
  missing: 'error' | 'empty';
  /** The most tags and pages a listing may have (MAX_LISTED_TAGS and MAX_TAG_PAGES by default). */
  maxTags?: number;
  maxPages?: number;
}

/**
 * The tags of a registry repository, page by page as the registry sends them (`GET /v2/NAME/tags/list?n=1000`,
 * then each `Link: <…>; rel="next"`); a page is asked for only when the one before has been taken. Names that are
 * not valid tags are left out. Retries and their budget are the client's.
 */
export async function* tagPages(
  client: RegistryClient,
  repository: string,
  options: TagPagesOptions,
): AsyncGenerator<readonly string[]> {
  const name = `${client.options.registry}/${repository}`;
  const base = await client.apiBase();
  let url: URL | undefined = new URL(`/v2/${repository}/tags/list?n=${TAG_PAGE_SIZE}`, base);
  const seen = new Set<string>();
  const { maxTags = MAX_LISTED_TAGS, maxPages = MAX_TAG_PAGES } = options;
  let listed = 0;
  while (url) {
    if (seen.has(url.href)) throw listingError(`the tag list of ${name} links back to a page it already sent`);
    if (seen.size >= maxPages) throw listingError(`the tag list of ${name} has more than ${maxPages} pages`);
    seen.add(url.href);
    const page = await fetchPage(client, repository, name, url, options);
    if (!page) return;
    listed += page.tags.length;
    if (listed > maxTags) throw listingError(`${name} lists more than ${maxTags} tags`);
    url = page.next;
    yield page.tags;
  }
}

interface TagPage {
  tags: string[];
  next: URL | undefined;
}

async function fetchPage(
  client: RegistryClient,
  repository: string,
  name: string,
  url: URL,
  options: TagPagesOptions,
): Promise<TagPage | undefined> {
  const res = await client.request({ method: 'GET', path: `${url.pathname}${url.search}`, repository });
  if (res.status === 404 && options.missing === 'empty') {
    await drain(res);
    return undefined;
  }
  if (res.status === 404) {
    await drain(res);
    throw new RegistryError('NotFound', `repository ${name} not found: the registry has no tags for it (HTTP 404)`, {
      status: 404,
    });
  }
  if (res.status !== 200) throw await client.statusError(res, `tags of ${name}`, repository);
  const body = await readCapped(res, MAX_TAG_PAGE_BYTES, `a page of the tag list of ${name}`);
  const next = nextPage(headerValue(res.headers, 'link'), url, name);
  return { tags: tagsOf(body, name), next };
}

/** The valid tags of a page; anything else in it is left out. */
function tagsOf(body: Uint8Array, name: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch {
    throw listingError(`a page of the tag list of ${name} is not valid JSON`);
  }
  const tags = (doc as { tags?: unknown } | null)?.tags;
  return Array.isArray(tags) ? keepTags(tags) : [];
}

/** `listed` with only its valid tags, in their order: compacted in place, as a page may hold thousands. */
function keepTags(listed: unknown[]): string[] {
  let kept = 0;
  for (let i = 0; i < listed.length; i++) {
    const item = listed[i];
    if (typeof item === 'string' && isTag(item)) listed[kept++] = item;
  }
  listed.length = kept;
  return listed as string[];
}

/**
 * The page a `Link` header's `rel="next"` names, resolved against the page that gave it; one on another origin is
 * refused, so that the credentials of this registry never go with it.
 */
export function nextPage(link: string | undefined, current: URL, name: string): URL | undefined {
  const target = link ? nextTarget(link) : undefined;
  if (target === undefined) return undefined;
  const next = URL.canParse(target, current.href) ? new URL(target, current) : undefined;
  if (!next) throw listingError(`the tag list of ${name} links to an invalid next page ${quoted(target)}`);
  if (next.origin !== current.origin) {
    throw listingError(
      `the tag list of ${name} links its next page to ${next.origin}, another host than the registry's; refused`,
    );
  }
  return next;
}

/** The target of the `rel="next"` link of a `Link` header, which may hold several links. */
function nextTarget(link: string): string | undefined {
  for (const part of link.split(/,(?=\s*<)/)) {
    const open = part.indexOf('<');
    const close = part.indexOf('>', open);
    if (open < 0 || close < 0 || part.slice(0, open).trim() !== '') continue;
    if (
      part
        .slice(close + 1)
        .split(';')
        .some(isRelNext)
    )
      return part.slice(open + 1, close);
  }
  return undefined;
}

/** `rel=next`, `rel="next"` or `rel="next prev"`-like link parameters. */
function isRelNext(param: string): boolean {
  const eq = param.indexOf('=');
  if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'rel') return false;
  const value = param
    .slice(eq + 1)
    .trim()
    .replace(/^"|"$/g, '');
  return value.toLowerCase().split(/\s+/).includes('next');
}

function listingError(message: string): RegistryError {
  return new RegistryError('InternalError', message);
}
