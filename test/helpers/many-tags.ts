import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { GeneratedImage, ImageSpec } from './images.js';
import type { RegistryHandle } from './registry.js';
import type { Upstream } from './upstream.js';

export interface ManyTagsOptions {
  /** The image every tag points to; one small linux/amd64 image by default. */
  image?: ImageSpec;
  /** Manifest PUTs in flight at once (16 by default). */
  concurrency?: number;
}

/** `count` tags made by `name` from 0, 1, … (`v0`, `v1`, … by default). */
export function numberedTags(count: number, name: (i: number) => string = (i) => `v${i}`): string[] {
  return Array.from({ length: count }, (_, i) => name(i));
}

/**
 * Gives `repository` of the upstream's registry every one of `tags` quickly: one image is pushed once (under the first
 * tag), then its manifest is PUT under each other tag, several at a time. Every tag points to the returned image.
 * The registry must be in `plain` or `basic` mode.
 */
export async function fillWithTags(
  upstream: Upstream,
  repository: string,
  tags: readonly string[],
  options: ManyTagsOptions = {},
): Promise<GeneratedImage> {
  const [first, ...rest] = tags;
  if (first === undefined) throw new Error('fillWithTags needs at least one tag');
  const image = await upstream.push(
    repository,
    first,
    options.image ?? { platforms: ['linux/amd64'], seed: repository },
  );
  const put = manifestPutter(upstream.registry, repository, image);
  try {
    await inParallel(rest, options.concurrency ?? 16, put.tag);
  } finally {
    put.close();
  }
  return image;
}

/** PUTs of one manifest under tags of a repository, over kept-alive connections. */
function manifestPutter(registry: RegistryHandle, repository: string, image: GeneratedImage) {
  if (registry.mode === 'token') throw new Error('fillWithTags supports plain and basic registries');
  const agent = registry.tls
    ? new HttpsAgent({ keepAlive: true, ...(registry.ca && { ca: registry.ca.caPem }) })
    : new HttpAgent({ keepAlive: true });
  const send = registry.tls ? httpsRequest : httpRequest;
  const headers: Record<string, string> = {
    'content-type': image.mediaType,
    'content-length': String(image.bytes.length),
  };
  if (registry.mode === 'basic') {
    headers.authorization = `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`;
  }
  const tag = (name: string) =>
    new Promise<void>((resolve, reject) => {
      const url = new URL(`/v2/${repository}/manifests/${name}`, registry.url);
      const req = send(url, { method: 'PUT', agent, headers }, (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 201 ? resolve() : reject(new Error(`PUT ${url.pathname}: HTTP ${res.statusCode}`)),
        );
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(image.bytes);
    });
  return { tag, close: () => agent.destroy() };
}

/** Runs `work` on every item, at most `limit` at once; the first failure fails the whole. */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
