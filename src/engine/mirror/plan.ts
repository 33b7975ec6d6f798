import type { Descriptor } from '../../core/manifest.js';
import type { PlannedCopy } from '../../core/plan-model.js';
import { fetchDescribed } from '../../registry/described.js';
import type { ImageDestination } from '../../registry/destination.js';
import type { FetchedManifest, ImageRepository } from '../../registry/repository.js';
import { mapConcurrent } from '../concurrency.js';
import { isDistributable, type MirroredImage } from './mirror.js';

const CHECKS_AT_ONCE = 8;

/**
 * What the destinations of one plan answered: nothing is written while a plan is made, so a blob or manifest that
 * the tags of one repository share is asked about once, not once per tag.
 */
export class DestinationChecks {
  private readonly answers = new Map<ImageDestination, Map<string, Promise<boolean>>>();

  hasManifest(target: ImageDestination, digest: string): Promise<boolean> {
    return this.ask(target, `manifest ${digest}`, () => target.hasManifest(digest));
  }

  hasBlob(target: ImageDestination, digest: string): Promise<boolean> {
    return this.ask(target, `blob ${digest}`, () => target.hasBlob(digest));
  }

  private ask(target: ImageDestination, key: string, check: () => Promise<boolean>): Promise<boolean> {
    let answers = this.answers.get(target);
    if (!answers) {
      answers = new Map();
      this.answers.set(target, answers);
    }
    let answer = answers.get(key);
    if (!answer) {
      const asked = check();
      answers.set(key, asked);
      asked.catch(() => answers.delete(key));
      answer = asked;
    }
    return answer;
  }
}

/**
 * What `mirrorImage` would copy, found without copying: the manifests the destination lacks (read from the source
 * to list their blobs) and the blobs it lacks. A manifest already there holds its blobs, so they are not asked for.
 * `top` is the image's manifest when the caller has fetched it already; `checks` are shared by the tags of a plan.
 */
export async function planCopy(
  source: ImageRepository,
  target: ImageDestination,
  image: MirroredImage,
  top?: FetchedManifest,
  checks = new DestinationChecks(),
): Promise<PlannedCopy> {
  const copy: PlannedCopy = { repository: target.name, tag: image.tag, manifests: [], blobs: [] };
  if ((await target.tagDigest(image.tag)) === image.digest) return copy;
  if (await checks.hasManifest(target, image.digest)) return copy;
  const blobs = new Map<string, Descriptor>();
  const visited = new Set<string>();
  const visit = async (fetched: FetchedManifest): Promise<void> => {
    copy.manifests.push({ digest: fetched.digest, size: fetched.size });
    if (fetched.manifest.kind === 'image') {
      const named = [fetched.manifest.config, ...fetched.manifest.layers].filter(isDistributable);
      for (const blob of named) blobs.set(blob.digest, blob);
      return;
    }
    const missing = await absent(firstSeen(fetched.manifest.manifests, visited), (d) =>
      checks.hasManifest(target, d.digest),
    );
    for (const child of missing) await visit(await fetchDescribed(source, child));
  };
  await visit(top?.digest === image.digest ? top : await source.getManifest(image.digest));
  const missing = await absent([...blobs.values()], (d) => checks.hasBlob(target, d.digest));
  copy.blobs = missing.map(({ digest, size }) => ({ digest, size }));
  return copy;
}

/**
 * The descriptors whose digest is not in `visited` yet, each digest once; they are added to it. A list may name a
 * manifest more than once, and lists of lists the same children: each is read and counted once.
 */
function firstSeen(descriptors: readonly Descriptor[], visited: Set<string>): Descriptor[] {
  const fresh: Descriptor[] = [];
  for (const descriptor of descriptors) {
    if (visited.has(descriptor.digest)) continue;
    visited.add(descriptor.digest);
    fresh.push(descriptor);
  }
  return fresh;
}

async function absent(descriptors: Descriptor[], present: (d: Descriptor) => Promise<boolean>): Promise<Descriptor[]> {
  const found = await mapConcurrent(descriptors, CHECKS_AT_ONCE, present);
  return descriptors.filter((_, i) => !found[i]);
}
