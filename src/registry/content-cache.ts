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
