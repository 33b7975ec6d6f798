import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseImageSource } from '../../src/core/reference.js';
import { mirrorImage } from '../../src/engine/mirror/mirror.js';
import type { BlobUploadOptions } from '../../src/registry/distribution/blob-upload.js';
import { RegistryDestination } from '../../src/registry/distribution/registry-destination.js';
import { RegistryRepository } from '../../src/registry/distribution/registry-repository.js';
import { RequestLimiter } from '../../src/registry/http/limiter.js';
import { LayoutRepository } from '../../src/registry/layout/layout-repository.js';
import { Repositories } from '../../src/registry/repositories.js';
import { tempDir } from '../helpers/cli.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import type { SeenRequest } from '../helpers/fault-proxy.js';
import { type GeneratedImage, writeImageLayout } from '../helpers/images.js';
import { runSkopeo } from '../helpers/skopeo.js';

/**
 * Chunked blob uploads into a real registry (through a proxy that counts them and can refuse a whole blob): the
 * blob is sent as several PATCH chunks of the size the registry allows, and arrives byte for byte.
 */
const MiB = 1024 * 1024;
const work = tempDir('imagestreams-chunked-');
const repositories = new Repositories({ env: {} });
const { registry, proxy } = useRegistry({ faultProxy: true });
let source: LayoutRepository;
let small: GeneratedImage;
let large: GeneratedImage;

beforeAll(async () => {
  const layout = writeImageLayout(join(work.path, 'layout'), {
    tags: {
      small: { platforms: ['linux/amd64'], layerBytes: 3 * MiB },
      large: { platforms: ['linux/amd64'], layerBytes: 19 * MiB },
    },
  });
  small = layout.tags.small!;
  large = layout.tags.large!;
  source = new LayoutRepository(layout.dir, 'layout');
});

afterEach(() => proxy.reset());

afterAll(async () => {
  await repositories.close();
  work.remove();
});

function destination(repository: string, options: BlobUploadOptions = {}): RegistryDestination {
  const repo = repositories.open(parseImageSource(`${proxy.host}/${repository}`), { insecure: true });
  if (!(repo instanceof RegistryRepository)) throw new Error('not a registry repository');
  return new RegistryDestination(repo.client, repo.repository, options);
}

/** The only layer of a single-platform image, as the source layout holds it. */
function layerOf(image: GeneratedImage): { digest: string; size: number; bytes: Buffer } {
  const digest = image.manifests[0]!.layerDigests[0]!;
  const bytes = readFileSync(join(work.path, 'layout', 'blobs', 'sha256', digest.slice('sha256:'.length)));
  return { digest, size: bytes.length, bytes };
}

/** The PATCH requests that carried the blob, in order, each with its `Content-Range` and `Content-Length`. */
function chunks(repository: string): { range: string; length: number }[] {
  const patches = proxy.requests.filter(
    (r: SeenRequest) => r.method === 'PATCH' && r.path.startsWith(`/v2/${repository}/blobs/uploads/`),
  );
  return patches.map((r) => ({
    range: String(r.headers['content-range']),
    length: Number(r.headers['content-length']),
  }));
}

/** Contiguous `start-end` ranges of `size` bytes cut `chunk` at a time. */
function expectedRanges(size: number, chunk: number): { range: string; length: number }[] {
  const ranges = [];
  for (let start = 0; start < size; start += chunk) {
    const end = Math.min(size, start + chunk) - 1;
    ranges.push({ range: `${start}-${end}`, length: end - start + 1 });
  }
  return ranges;
}

/** The image mirrored, then pulled whole by skopeo straight from the registry: its layer's bytes as skopeo stored them. */
async function pulledLayer(target: RegistryDestination, image: GeneratedImage, tag: string): Promise<Buffer> {
  await mirrorImage(source, target, { digest: image.digest, tag }, new RequestLimiter(2));
  const into = tempDir().path;
  const ref = `docker://${registry.host}/${target.repository}:${tag}`;
  await runSkopeo(['copy', '--preserve-digests', '--quiet', '--src-tls-verify=false', ref, `oci:${into}:pulled`]);
  return readFileSync(join(into, 'blobs', 'sha256', layerOf(image).digest.slice('sha256:'.length)));
}

describe('a chunked blob upload', () => {
  it('sends a blob several times the chunk size as consecutive PATCH chunks, then the closing PUT', async () => {
    const target = destination('chunked/small', { chunkBytes: 256 * 1024 });
    const layer = layerOf(small);
    expect(await target.putBlob(layer, source)).toBe('uploaded');
    const sent = chunks('chunked/small');
    expect(sent.length).toBeGreaterThanOrEqual(12);
    expect(sent).toEqual(expectedRanges(layer.size, 256 * 1024));
    expect(proxy.count({ method: 'PUT', path: /\/blobs\/uploads\// })).toBe(1);
    expect((await pulledLayer(target, small, 'v1')).equals(layer.bytes)).toBe(true);
  });

  it('makes every chunk but the last as large as the OCI-Chunk-Min-Length of the upload session', async () => {
    proxy.inject(
      { kind: 'headers', set: { 'oci-chunk-min-length': String(MiB) } },
      { method: 'POST', path: /\/blobs\/uploads\/$/ },
    );
    const target = destination('chunked/minimum', { chunkBytes: 256 * 1024 });
    const layer = layerOf(small);
    await target.putBlob(layer, source);
    expect(chunks('chunked/minimum')).toEqual(expectedRanges(layer.size, MiB));
    expect((await pulledLayer(target, small, 'v1')).equals(layer.bytes)).toBe(true);
  });

  it('after HTTP 413 on the whole blob, sends chunks of the OCI-Chunk-Min-Length when that is over 8 MiB', async () => {
    proxy.inject({ kind: 'status', status: 413, body: 'too large' }, { method: 'PUT', path: /\/blobs\/uploads\// });
    proxy.inject(
      { kind: 'headers', set: { 'oci-chunk-min-length': String(12 * MiB) } },
      { method: 'POST', path: /\/blobs\/uploads\/$/, times: 2 },
    );
    const target = destination('chunked/refused');
    const layer = layerOf(large);
    expect(await target.putBlob(layer, source)).toBe('uploaded');
    expect(chunks('chunked/refused')).toEqual(expectedRanges(layer.size, 12 * MiB));
    expect((await pulledLayer(target, large, 'v1')).equals(layer.bytes)).toBe(true);
  });

  it('after HTTP 413 on the whole blob without a minimum, sends 8 MiB chunks', async () => {
    proxy.inject({ kind: 'status', status: 413, body: 'too large' }, { method: 'PUT', path: /\/blobs\/uploads\// });
    const target = destination('chunked/fallback');
    const layer = layerOf(large);
    await target.putBlob(layer, source);
    expect(chunks('chunked/fallback')).toEqual(expectedRanges(layer.size, 8 * MiB));
    expect((await pulledLayer(target, large, 'v1')).equals(layer.bytes)).toBe(true);
  });
});
