import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/core/catalog.js';
import type { ImageSourceReference } from '../../src/core/reference.js';
import { localStore } from '../../src/engine/local-store.js';
import { DEFAULT_CLIENT_OPTIONS, RegistryClient } from '../../src/registry/distribution/client.js';
import { RegistryRepository } from '../../src/registry/distribution/registry-repository.js';

/** Where the catalog's `local` store puts each stream's images, and how it names them. */
const catalog = (local: Catalog['local']) => ({ path: '/work/catalogs/imagestreams.yaml', local }) as Catalog;

function recordingOpener() {
  const opened: ImageSourceReference[] = [];
  const open = (source: ImageSourceReference) => {
    opened.push(source);
    if (source.transport !== 'registry') throw new Error('a registry store opens registry repositories only');
    const client = new RegistryClient({ ...DEFAULT_CLIENT_OPTIONS, registry: source.ref.registry, env: {} });
    return new RegistryRepository(client, source.ref.repository);
  };
  return { opened, open };
}

describe('a registry store', () => {
  it('puts a stream into <namespace>/<stream> of the registry, opened like any source', () => {
    const { opened, open } = recordingOpener();
    const store = localStore(catalog({ registry: 'registry.local:5000/team/mirror' }), open)!;
    const target = store.open('ubi9');
    expect(store).toMatchObject({ kind: 'registry', description: 'registry registry.local:5000/team/mirror' });
    expect(target.name).toBe('registry.local:5000/team/mirror/ubi9');
    expect(target.pullSpec(`sha256:${'a'.repeat(64)}`)).toBe(
      `registry.local:5000/team/mirror/ubi9@sha256:${'a'.repeat(64)}`,
    );
    expect(opened).toEqual([
      { transport: 'registry', ref: { registry: 'registry.local:5000', repository: 'team/mirror/ubi9' } },
    ]);
  });

  it('opens each stream once', () => {
    const { opened, open } = recordingOpener();
    const store = localStore(catalog({ registry: 'registry.local:5000/mirror' }), open)!;
    expect(store.open('app')).toBe(store.open('app'));
    expect(opened).toHaveLength(1);
  });

  it.each(['a..b', 'App'])(
    'refuses the stream name %s, which cannot name a repository, with an import error',
    (stream) => {
      const store = localStore(catalog({ registry: 'registry.local:5000/mirror' }), recordingOpener().open)!;
      expect(() => store.open(stream)).toThrow(expect.objectContaining({ reason: 'InternalError' }));
      expect(() => store.open(stream)).toThrow(
        `stream "${stream}" cannot name a repository under registry.local:5000/mirror`,
      );
    },
  );
});

describe('a layout store', () => {
  it('puts a stream into <layout>/<stream>, named relative to the catalog as the catalog names it', () => {
    const store = localStore(catalog({ layout: '/work/catalogs/.imagestreams/store' }), recordingOpener().open)!;
    const target = store.open('ubi9');
    expect(store).toMatchObject({ kind: 'layout', description: 'layout .imagestreams/store' });
    expect(target.name).toBe('oci:.imagestreams/store/ubi9');
    expect(target.pullSpec(`sha256:${'b'.repeat(64)}`)).toBe(`oci:.imagestreams/store/ubi9@sha256:${'b'.repeat(64)}`);
  });

  it('is undefined for a catalog without local', () => {
    expect(localStore(catalog(undefined), recordingOpener().open)).toBeUndefined();
  });
});
