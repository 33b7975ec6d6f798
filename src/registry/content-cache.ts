import type { FetchedManifest } from './repository.js';

/**
 * Manifests and image configs fetched by digest, kept for the rest of the run so that what a plan read is not fetched
 * again by the apply that follows, nor for every tag that points at the same image. Content under a digest never
 * changes, so entries need no expiry; the least recently used are dropped past `maxBytes`. Entries keep bytes of their
 * own: a small body is read into a slice of Buffer's shared 8 KiB pool, which would keep the whole slab alive.
 */
export class ContentCache {
  private readonly entries = new Map<string, { value: FetchedManifest | Uint8Array; size: number }>();
  private total = 0;
  private readonly fetching = new Map<string, Promise<FetchedManifest | Uint8Array>>();

  constructor(private readonly maxBytes = 32 * 1024 * 1024) {}

  get<T extends FetchedManifest | Uint8Array>(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value as T;
  }

  set(key: string, value: FetchedManifest | Uint8Array, size: number): void {
    if (size > this.maxBytes) return;
    const previous = this.entries.get(key);
    if (previous) this.total -= previous.size;
    this.entries.delete(key);
    this.entries.set(key, { value: withOwnBytes(value), size });
    this.total += size;
    for (const [oldest, entry] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.total -= entry.size;
    }
  }

  /**
   * `fetch()`, unless a fetch under `key` is already under way: then its result. Many tags point at the same image,
   * and with many of them in flight its manifest and config would otherwise be fetched side by side before the
   * first answer is cached. A failed fetch is forgotten, so the next caller tries again.
   */
  once<T extends FetchedManifest | Uint8Array>(key: string, fetch: () => Promise<T>): Promise<T> {
    const under = this.fetching.get(key);
    if (under) return under as Promise<T>;
    const started = fetch().finally(() => this.fetching.delete(key));
    this.fetching.set(key, started);
    return started;
  }
}

function withOwnBytes(value: FetchedManifest | Uint8Array): FetchedManifest | Uint8Array {
  if (value instanceof Uint8Array) return ownBytes(value);
  const bytes = ownBytes(value.bytes);
  return bytes === value.bytes ? value : { ...value, bytes };
}

/** `bytes`, or a copy of them in a buffer of their own when they share a larger one. */
function ownBytes(bytes: Uint8Array): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes;
  const own = Buffer.allocUnsafeSlow(bytes.byteLength);
  own.set(bytes);
  return own;
}
