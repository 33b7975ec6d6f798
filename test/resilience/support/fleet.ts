import { join } from 'node:path';
import { type GeneratedImage, type ImageSpec, writeImageLayout } from '../../helpers/images.js';
import type { CatalogSpec, TagYaml } from '../../helpers/workspace.js';

/** One catalog tag of a fleet. */
export interface FleetTag {
  index: number;
  address: string;
  stream: string;
  tag: string;
  importMode: 'Legacy' | 'PreserveOriginal';
  scheduled: boolean;
}

/**
 * Hundreds of catalog tags, each importing its own image from one OCI layout: a third multi-architecture, a quarter
 * PreserveOriginal, a fifth scheduled. Keeps the digests each tag should hold, newest first.
 */
export class Fleet {
  readonly tags: FleetTag[];
  readonly layoutDir: string;
  private readonly history = new Map<string, string[]>();
  private readonly removed = new Set<string>();

  constructor(
    dir: string,
    size: number,
    private readonly streams = 5,
  ) {
    this.layoutDir = join(dir, 'layout');
    this.tags = Array.from({ length: size }, (_, i) => {
      const stream = `s${i % this.streams}`;
      const tag = `t${i}`;
      return {
        index: i,
        address: `${stream}:${tag}`,
        stream,
        tag,
        importMode: i % 4 === 0 ? 'PreserveOriginal' : 'Legacy',
        scheduled: i % 5 === 0,
      };
    });
    this.publish(this.tags, 'v1');
  }

  get scheduledTags(): FleetTag[] {
    return this.tags.filter((t) => t.scheduled && !this.removed.has(t.address));
  }

  /** Writes new content for `tags` into the layout (an upstream move) and records what importing it gives. */
  publish(tags: readonly FleetTag[], version: string): void {
    const specs = Object.fromEntries(tags.map((t) => [layoutTag(t), imageSpec(t, version)]));
    const generated = writeImageLayout(this.layoutDir, { tags: specs }).tags;
    for (const tag of tags) {
      const digest = importedDigest(tag, generated[layoutTag(tag)]!);
      this.history.set(tag.address, [digest, ...(this.history.get(tag.address) ?? [])]);
    }
  }

  /** Leaves `tags` out of the catalog from now on. */
  remove(tags: readonly FleetTag[]): void {
    for (const tag of tags) this.removed.add(tag.address);
  }

  catalog(): CatalogSpec {
    const streams: Record<string, Record<string, TagYaml>> = {};
    for (const tag of this.tags.filter((t) => !this.removed.has(t.address))) {
      streams[tag.stream] ??= {};
      streams[tag.stream]![tag.tag] = {
        from: `oci:layout:${layoutTag(tag)}`,
        importMode: tag.importMode,
        scheduled: tag.scheduled,
      };
    }
    return { streams };
  }

  /** The digests each tag in the catalog should hold once applied, newest first. */
  expected(): Map<string, string[]> {
    return new Map([...this.history].filter(([address]) => !this.removed.has(address)));
  }
}

function layoutTag(tag: FleetTag): string {
  return `${tag.stream}-${tag.tag}`;
}

function imageSpec(tag: FleetTag, version: string): ImageSpec {
  const platforms = tag.index % 3 === 0 ? ['linux/amd64', 'linux/arm64', 'linux/s390x'] : ['linux/amd64'];
  return { platforms, seed: `${tag.address}@${version}` };
}

/** PreserveOriginal keeps the index; Legacy keeps the linux/amd64 child (the default platform). */
export function importedDigest(tag: Pick<FleetTag, 'importMode'>, image: GeneratedImage): string {
  if (!image.isIndex || tag.importMode === 'PreserveOriginal') return image.digest;
  return image.platforms['linux/amd64']!.digest;
}
