import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/core/errors.js';
import { LayoutRepository } from '../../src/registry/layout/layout-repository.js';
import { tempDir } from '../helpers/cli.js';
import { writeImageLayout } from '../helpers/images.js';

const work = tempDir('imagestreams-layout-tags-');
afterAll(() => work.remove());

const REF_NAME = 'org.opencontainers.image.ref.name';

async function pagesOf(dir: string): Promise<string[][]> {
  const pages: string[][] = [];
  for await (const page of new LayoutRepository(dir, 'layout').listTags()) pages.push([...page]);
  return pages;
}

describe('listing the tags of an OCI image layout', () => {
  it('gives the ref.name annotations of index.json that are valid tags, each once, as one page', async () => {
    const dir = join(work.path, 'named');
    writeImageLayout(dir, { tags: { '1.0': { platforms: ['linux/amd64'] }, latest: { platforms: ['linux/arm64'] } } });
    const indexPath = join(dir, 'index.json');
    const index = JSON.parse(readFileSync(indexPath, 'utf8')) as { manifests: { annotations?: object }[] };
    const first = index.manifests[0]!;
    const named = (name: string) => ({ ...first, annotations: { [REF_NAME]: name } });
    index.manifests.push(named('1.0'), named('docker.io/library/alpine:3'), named('.hidden'), named('x'.repeat(129)));
    index.manifests.push({ ...first, annotations: {} });
    writeFileSync(indexPath, JSON.stringify(index));
    expect(await pagesOf(dir)).toEqual([['1.0', 'latest']]);
  });

  it('says a directory that is not a layout is not found', async () => {
    const error = await pagesOf(join(work.path, 'nothing')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ reason: 'NotFound' });
  });
});
