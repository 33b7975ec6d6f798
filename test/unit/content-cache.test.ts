import { describe, expect, it } from 'vitest';
import { ContentCache } from '../../src/registry/content-cache.js';
import type { FetchedManifest } from '../../src/registry/repository.js';

/** Bytes in the middle of a larger buffer, as a small body read through Buffer's pool is. */
function sliceOfLargerBuffer(text: string): Uint8Array {
  const slab = Buffer.alloc(8192);
  const written = slab.write(text, 100);
  return slab.subarray(100, 100 + written);
}

describe('the content cache', () => {
  it('keeps a blob in a buffer of its own, not the larger buffer it was a slice of', () => {
    const cache = new ContentCache();
    cache.set('config', sliceOfLargerBuffer('{"os":"linux"}'), 14);
    const cached = cache.get<Uint8Array>('config')!;
    expect(Buffer.from(cached).toString()).toBe('{"os":"linux"}');
    expect(cached.buffer.byteLength).toBe(cached.byteLength);
  });

  it('keeps a manifest with bytes of its own and everything else as fetched', () => {
    const cache = new ContentCache();
    const bytes = sliceOfLargerBuffer('{"schemaVersion":2}');
    const fetched = { digest: 'sha256:x', mediaType: 'm', size: bytes.length, bytes, manifest: {} } as FetchedManifest;
    cache.set('manifest', fetched, bytes.length);
    const cached = cache.get<FetchedManifest>('manifest')!;
    expect(Buffer.from(cached.bytes).toString()).toBe('{"schemaVersion":2}');
    expect(cached.bytes.buffer.byteLength).toBe(cached.bytes.byteLength);
    expect({ ...cached, bytes: undefined }).toEqual({ ...fetched, bytes: undefined });
  });

  it('keeps bytes that have a buffer of their own as they are', () => {
    const cache = new ContentCache();
    const own = Buffer.from(new ArrayBuffer(4));
    cache.set('blob', own, 4);
    expect(cache.get('blob')).toBe(own);
  });

  it('drops the least recently used entries past its size', () => {
    const cache = new ContentCache(10);
    cache.set('a', new Uint8Array(4), 4);
    cache.set('b', new Uint8Array(4), 4);
    cache.get('a');
    cache.set('c', new Uint8Array(4), 4);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
  });

  it('fetches what several callers ask for at the same time once, and each gets its answer', async () => {
    const cache = new ContentCache();
    let fetches = 0;
    let answer!: (bytes: Uint8Array) => void;
    const fetch = () => {
      fetches++;
      return new Promise<Uint8Array>((resolve) => {
        answer = resolve;
      });
    };
    const asked = [cache.once('config', fetch), cache.once('config', fetch), cache.once('config', fetch)];
    answer(Buffer.from('{"os":"linux"}'));
    const answers = await Promise.all(asked);
    expect(fetches).toBe(1);
    expect(answers.map((bytes) => Buffer.from(bytes).toString())).toEqual(Array(3).fill('{"os":"linux"}'));
  });

  it('forgets a fetch once it is over, failed or not, so that a later caller fetches again', async () => {
    const cache = new ContentCache();
    let fetches = 0;
    const failing = () => {
      fetches++;
      return Promise.reject(new Error('registry unreachable'));
    };
    await expect(Promise.all([cache.once('config', failing), cache.once('config', failing)])).rejects.toThrow(
      'registry unreachable',
    );
    expect(fetches).toBe(1);
    await expect(cache.once('config', async () => Buffer.from('{}'))).resolves.toEqual(Buffer.from('{}'));
  });
});
