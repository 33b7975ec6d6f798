import { type FaultProxy, startFaultProxy } from '../../helpers/fault-proxy.js';
import type { GeneratedImage, ImageSpec } from '../../helpers/images.js';
import { type RegistryHandle, startRegistry } from '../../helpers/registry.js';
import { Upstream } from '../../helpers/upstream.js';
import type { CatalogSpec, TagYaml } from '../../helpers/workspace.js';
import { insecure } from '../../helpers/workspace.js';
import { importedDigest } from './fleet.js';

/** A catalog tag importing `team/<repository>:v1` through the fault proxy. */
export interface RegistryTag {
  address: string;
  stream: string;
  tag: string;
  repository: string;
  importMode: 'Legacy' | 'PreserveOriginal';
}

/**
 * A real registry (distribution, plain HTTP) with a fault proxy in front, holding multi-architecture images at
 * `team/<repository>:v1`; catalog tags import them through the proxy, several tags per repository.
 */
export class RegistryUpstream {
  readonly tags: RegistryTag[] = [];
  private readonly images = new Map<string, GeneratedImage>();
  private readonly history = new Map<string, string[]>();

  private constructor(
    readonly registry: RegistryHandle,
    readonly proxy: FaultProxy,
    private readonly upstream: Upstream,
  ) {}

  static async start(): Promise<RegistryUpstream> {
    const registry = await startRegistry({ mode: 'plain' });
    const proxy = await startFaultProxy(registry.url);
    return new RegistryUpstream(registry, proxy, new Upstream(registry));
  }

  /** Pushes (or moves) `team/<repository>:v1` and records what each catalog tag of it should import. */
  async publish(repository: string, version: string): Promise<void> {
    const image = await this.upstream.push(`team/${repository}`, 'v1', {
      platforms: ['linux/amd64', 'linux/arm64'],
      seed: `${repository}@${version}`,
    });
    this.images.set(repository, image);
    for (const tag of this.tags.filter((t) => t.repository === repository)) this.record(tag);
  }

  /** Pushes `team/<repository>:<tag>` as `spec` describes, apart from the catalog tags this upstream keeps. */
  pushImage(repository: string, tag: string, spec: ImageSpec): Promise<GeneratedImage> {
    return this.upstream.push(`team/${repository}`, tag, spec);
  }

  /** Adds `perRepository` catalog tags for each repository (alternately Legacy and PreserveOriginal). */
  addTags(repositories: readonly string[], perRepository: number): void {
    for (const repository of repositories) {
      for (let i = 0; i < perRepository; i++) {
        const tag: RegistryTag = {
          address: `${repository}:t${i}`,
          stream: repository,
          tag: `t${i}`,
          repository,
          importMode: i % 2 === 0 ? 'Legacy' : 'PreserveOriginal',
        };
        this.tags.push(tag);
        this.record(tag);
      }
    }
  }

  private record(tag: RegistryTag): void {
    const image = this.images.get(tag.repository);
    if (!image) return;
    const digest = importedDigest(tag, image);
    const history = this.history.get(tag.address) ?? [];
    if (history[0] !== digest) this.history.set(tag.address, [digest, ...history]);
  }

  catalog(): CatalogSpec {
    const streams: Record<string, Record<string, TagYaml>> = {};
    for (const tag of this.tags) {
      streams[tag.stream] ??= {};
      streams[tag.stream]![tag.tag] = {
        from: `${this.proxy.host}/team/${tag.repository}:v1`,
        importMode: tag.importMode,
        scheduled: true,
      };
    }
    return { registries: insecure(this.proxy.host), streams };
  }

  /** The digests each catalog tag should hold once applied, newest first. */
  expected(): Map<string, string[]> {
    return new Map(this.history);
  }

  /** The paths of the layer blobs of `team/<repository>:v1` as last published (for a fault to match). */
  layerBlobs(repository: string): RegExp {
    const digests = this.images.get(repository)?.manifests.flatMap((manifest) => manifest.layerDigests) ?? [];
    if (digests.length === 0) throw new Error(`team/${repository}:v1 was not published`);
    return new RegExp(`^/v2/team/${repository}/blobs/(?:${digests.join('|')})$`);
  }

  /** Requests the proxy answered with a fault other than a mere delay. */
  faultsApplied(): number {
    return this.proxy.requests.filter((r) => r.fault !== undefined && r.fault !== 'delay').length;
  }

  async stop(): Promise<void> {
    await this.proxy.stop();
    await this.registry.stop();
  }
}
