import type { ImageDestination } from '../../registry/destination.js';
import type { RegistryLocation } from '../../registry/repository.js';

/**
 * The copies of one apply (or of one check of `watch`). Tags are copied at once and often share blobs, children or
 * the very same manifest: within a destination a blob or child is copied once and the others wait for it. A run is
 * short-lived on purpose: what it copied is not trusted beyond it (a `prune` may delete it before the next run), so
 * the next run checks the destination again. It also knows where it stored each blob, to mount it from there.
 */
export class MirrorRun {
  private readonly copies = new Map<ImageDestination, Map<string, Promise<void>>>();
  private readonly holders = new Map<string, RegistryLocation>();

  /** Runs `work` once per key and destination; a failed attempt is forgotten so that a later copy tries again. */
  once(target: ImageDestination, key: string, work: () => Promise<void>): Promise<void> {
    let copies = this.copies.get(target);
    if (!copies) {
      copies = new Map();
      this.copies.set(target, copies);
    }
    const known = copies.get(key);
    if (known) return known;
    const started = work();
    copies.set(key, started);
    started.catch(() => copies.delete(key));
    return started;
  }

  /** Records that `target` holds the blob `digest` (a registry destination can lend it to the others). */
  stored(digest: string, target: ImageDestination): void {
    if (target.location) this.holders.set(digest, target.location);
  }

  /** The repository of the local registry this run stored the blob in, if any. */
  holder(digest: string): RegistryLocation | undefined {
    return this.holders.get(digest);
  }
}

/**
 * Work queued per owner and key. Across the destinations of one local store (the repositories of one registry),
 * blobs and manifests of one digest are stored one after another: a registry keeps one copy of each digest for all
 * its repositories, and writing it twice at once can let it see its own half-written content and refuse a manifest
 * ("digest did not match"). The store's transfer limiter, shared by all its destinations, stands for the store.
 */
const queues = new WeakMap<object, Map<string, Promise<void>>>();

/** Runs `work` after whatever runs under the same key and owner has settled; a drained queue is forgotten. */
export function inTurn(owner: object, key: string, work: () => Promise<void>): Promise<void> {
  let queue = queues.get(owner);
  if (!queue) {
    queue = new Map();
    queues.set(owner, queue);
  }
  const map = queue;
  const next = (map.get(key) ?? Promise.resolve()).catch(() => undefined).then(work);
  map.set(key, next);
  const forget = () => {
    if (map.get(key) === next) map.delete(key);
  };
  next.then(forget, forget);
  return next;
}
