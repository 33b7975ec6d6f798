import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/core/errors.js';
import { parseImageSource } from '../../src/core/reference.js';
import { DEFAULT_CLIENT_OPTIONS, RegistryClient } from '../../src/registry/distribution/client.js';
import { tagPages } from '../../src/registry/distribution/tag-pages.js';
import { Repositories } from '../../src/registry/repositories.js';
import { listSourceTags } from '../../src/registry/tag-lister.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { type FaultProxy, startFaultProxy, tooManyRequests } from '../helpers/fault-proxy.js';
import { type Answer, type HostileRegistry, json, startHostileRegistry } from '../helpers/hostile-registry.js';
import { fillWithTags, numberedTags } from '../helpers/many-tags.js';
import { type PagingFront, startPagingFront } from '../helpers/paging-front.js';

const { registry, proxy, upstream } = useRegistry({ faultProxy: true, quiet: true });
const MANY = numberedTags(3000, (i) => `1.${i}`);
const TAGS_LIST = /^\/v2\/team\/many\/tags\/list$/;
/** docker-registry 2.8 behind a front that pages as distribution 3 does, behind a counting fault proxy. */
let paging: { front: PagingFront; proxy: FaultProxy };

beforeAll(async () => {
  await fillWithTags(upstream, 'team/many', MANY);
  await fillWithTags(upstream, 'library/postgres', ['16.4', '17.0', '17.1']);
  const front = await startPagingFront(registry.url);
  paging = { front, proxy: await startFaultProxy(front.url) };
}, 180_000);

afterEach(() => {
  proxy.reset();
  paging.proxy.reset();
});

afterAll(async () => {
  await paging?.proxy.stop();
  await paging?.front.stop();
});

/** Every page of the tag list of `host/repository`, with quick retries (a Retry-After is still waited for). */
async function pagesOf(host: string, repository: string, maxRetries?: number): Promise<string[][]> {
  const retry = { baseDelayMs: 10, maxDelayMs: 50, ...(maxRetries !== undefined && { maxRetries }) };
  const repositories = new Repositories({ retry, env: {} });
  const pages: string[][] = [];
  try {
    const source = parseImageSource(`${host}/${repository}`);
    for await (const page of listSourceTags(repositories, source, { insecure: true })) pages.push([...page]);
  } finally {
    await repositories.close();
  }
  return pages;
}

const nOf = (url: string) => new URL(url, 'http://x').searchParams.get('n');

describe('listing the tags of a docker-registry repository', () => {
  it('asks for pages of 1000 and follows Link to the last page, one request per page', async () => {
    const pages = await pagesOf(paging.proxy.host, 'team/many');
    expect(pages.map((p) => p.length)).toEqual([1000, 1000, 1000]);
    expect(pages.flat().sort()).toEqual([...MANY].sort());
    const listings = paging.proxy.requests.filter((r) => TAGS_LIST.test(r.path));
    expect(listings.map((r) => nOf(r.url))).toEqual(['1000', '1000', '1000']);
  });

  it('takes the whole list in one answer from a registry that ignores n (docker-registry 2.8 itself)', async () => {
    const pages = await pagesOf(proxy.host, 'team/many');
    expect(pages.map((p) => p.length)).toEqual([3000]);
    expect(proxy.count({ method: 'GET', path: TAGS_LIST })).toBe(1);
  });

  it('waits as Retry-After says after a 429 on a later page, then goes on', async () => {
    paging.proxy.inject({ kind: 'headers', set: {} }, { method: 'GET', path: TAGS_LIST });
    paging.proxy.inject(tooManyRequests(1), { method: 'GET', path: TAGS_LIST });
    const pages = await pagesOf(paging.proxy.host, 'team/many');
    expect(pages.flat()).toHaveLength(3000);
    const statuses = paging.proxy.requests.filter((r) => TAGS_LIST.test(r.path)).map((r) => r.status);
    expect(statuses).toEqual([200, 429, 200, 200]);
  });

  it('fails with TooManyRequests once the retry budget is spent, after the pages it had', async () => {
    paging.proxy.inject({ kind: 'headers', set: {} }, { method: 'GET', path: TAGS_LIST });
    paging.proxy.inject(tooManyRequests(0), { method: 'GET', path: TAGS_LIST, times: 3 });
    const error = await pagesOf(paging.proxy.host, 'team/many', 2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ reason: 'TooManyRequests', status: 429 });
    expect(paging.proxy.count({ method: 'GET', path: TAGS_LIST })).toBe(4);
  });

  it('lists a library/ repository by its Docker Hub-like name', async () => {
    const pages = await pagesOf(proxy.host, 'library/postgres');
    expect(pages.flat().sort()).toEqual(['16.4', '17.0', '17.1']);
    expect(proxy.count({ method: 'GET', path: '/v2/library/postgres/tags/list' })).toBe(1);
  });

  it('says a repository the registry does not know is not found, rather than listing no tags', async () => {
    const error = await pagesOf(proxy.host, 'team/nothing-here').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ reason: 'NotFound' });
    expect((error as Error).message).toContain(`repository ${proxy.host}/team/nothing-here not found`);
  });
});

describe('listing the tags of a registry that misbehaves', () => {
  let hostile: HostileRegistry;
  let other: HostileRegistry;
  let answer: Answer = (_, response) => json(response, 200, { tags: [] });

  beforeAll(async () => {
    other = await startHostileRegistry({ answers: [{ path: /tags\/list$/, answer: (q, r) => answer(q, r) }] });
    hostile = await startHostileRegistry({ answers: [{ path: /tags\/list$/, answer: (q, r) => answer(q, r) }] });
  });

  afterAll(async () => {
    await hostile.stop();
    await other.stop();
  });

  afterEach(() => {
    hostile.requests.length = 0;
    other.requests.length = 0;
  });

  /** Answers tag list requests with `pages`, keyed by the `last` query parameter ('' for the first). */
  function serve(pages: Record<string, { tags: unknown; link?: string }>): void {
    answer = (request, response) => {
      const last = new URL(request.url ?? '/', 'http://x').searchParams.get('last') ?? '';
      const page = pages[last];
      if (!page) return json(response, 500, { errors: [{ code: 'UNKNOWN', message: `no page after ${last}` }] });
      json(response, 200, { name: 'team/app', tags: page.tags }, page.link ? { link: page.link } : {});
    };
  }

  const listings = (registry: HostileRegistry) => registry.requests.filter((r) => r.path.endsWith('/tags/list'));

  it('follows smaller pages than asked for, and an absolute Link on the same origin', async () => {
    serve({
      '': { tags: ['a', 'b'], link: '</v2/team/app/tags/list?last=b&n=2>; rel="next"' },
      b: { tags: ['c', 'd'], link: `<${hostile.origin}/v2/team/app/tags/list?last=d&n=2>; rel="next"` },
      d: { tags: ['e'] },
    });
    expect(await pagesOf(hostile.host, 'team/app')).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('leaves out names that are not valid tags', async () => {
    const long = 'x'.repeat(129);
    serve({ '': { tags: ['1.0', '.hidden', '-dash', 'a/b', 'sp ace', long, 'x'.repeat(128), 7, null, ''] } });
    expect(await pagesOf(hostile.host, 'team/app')).toEqual([['1.0', 'x'.repeat(128)]]);
  });

  it('refuses a Link to another host, without asking it anything', async () => {
    serve({ '': { tags: ['a'], link: `<${other.origin}/v2/team/app/tags/list?last=a>; rel="next"` } });
    const error = await pagesOf(hostile.host, 'team/app').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toContain(`links its next page to ${other.origin}, another host`);
    expect(listings(other)).toHaveLength(0);
  });

  it('refuses a Link to another scheme of the same host', async () => {
    const https = hostile.origin.replace('http:', 'https:');
    serve({ '': { tags: ['a'], link: `<${https}/v2/team/app/tags/list?last=a>; rel="next"` } });
    await expect(pagesOf(hostile.host, 'team/app')).rejects.toThrow(/another host than the registry's; refused/);
  });

  it('stops a Link loop with an error naming it', async () => {
    serve({
      '': { tags: ['a'], link: '</v2/team/app/tags/list?last=a&n=1000>; rel="next"' },
      a: { tags: ['b'], link: '</v2/team/app/tags/list?last=a&n=1000>; rel="next"' },
    });
    await expect(pagesOf(hostile.host, 'team/app')).rejects.toThrow(/links back to a page it already sent/);
    expect(listings(hostile)).toHaveLength(2);
  });

  it('stops an endless listing at its cap', async () => {
    answer = (request, response) => {
      const at = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('last') ?? 0);
      const tags = numberedTags(100, (i) => `t${at + i}`);
      json(response, 200, { tags }, { link: `</v2/team/app/tags/list?last=${at + 100}>; rel="next"` });
    };
    const client = new RegistryClient({ ...DEFAULT_CLIENT_OPTIONS, registry: hostile.host, insecure: true, env: {} });
    const pages = tagPages(client, 'team/app', { missing: 'error', maxTags: 1000 });
    let listed = 0;
    const error = await (async () => {
      for await (const page of pages) listed += page.length;
    })().catch((e: unknown) => e);
    await client.close();
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toContain(`${hostile.host}/team/app lists more than 1000 tags`);
    expect(listed).toBe(1000);
  });

  it('refuses a page over the byte cap', async () => {
    serve({ '': { tags: numberedTags(400_000, (i) => `tag-${i}`) } });
    await expect(pagesOf(hostile.host, 'team/app')).rejects.toThrow(/over the 4\.0 MiB limit; refused/);
  });
});
