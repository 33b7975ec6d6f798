import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/core/errors.js';
import { parseImageSource } from '../../src/core/reference.js';
import { Repositories } from '../../src/registry/repositories.js';
import { listSourceTags } from '../../src/registry/tag-lister.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { tooManyRequests } from '../helpers/fault-proxy.js';
import { fillWithTags, numberedTags } from '../helpers/many-tags.js';

const { proxy, upstream } = useRegistry({ faultProxy: true, quiet: true });
const MANY = numberedTags(3000, (i) => `1.${i}`);
const TAGS_LIST = /^\/v2\/team\/many\/tags\/list$/;

beforeAll(async () => {
  await fillWithTags(upstream, 'team/many', MANY);
  await fillWithTags(upstream, 'library/postgres', ['16.4', '17.0', '17.1']);
}, 120_000);

afterEach(() => proxy.reset());

/** Every page of `reference`'s tag list, through the fault proxy, with quick retries. */
async function pagesOf(reference: string, retry: { maxRetries?: number } = {}): Promise<string[][]> {
  const repositories = new Repositories({ retry: { baseDelayMs: 10, maxDelayMs: 50, ...retry }, env: {} });
  const pages: string[][] = [];
  try {
    for await (const page of listSourceTags(repositories, parseImageSource(`${proxy.host}/${reference}`), {
      insecure: true,
    })) {
      pages.push([...page]);
    }
  } finally {
    await repositories.close();
  }
  return pages;
}

describe('listing the tags of a registry repository', () => {
  it('takes the whole list in one answer from a registry that ignores n (docker-registry 2.8)', async () => {
    const pages = await pagesOf('team/many');
    expect(pages.map((p) => p.length)).toEqual([3000]);
    expect(pages.flat().sort()).toEqual([...MANY].sort());
    expect(proxy.count({ method: 'GET', path: TAGS_LIST })).toBe(1);
  });
});
