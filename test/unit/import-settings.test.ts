import { describe, expect, it } from 'vitest';
import type { CatalogTag, TagSpec } from '../../src/core/catalog.js';
import { UsageError } from '../../src/core/errors.js';
import { importChanges, importFlagsOf } from '../../src/operations/import-settings.js';

function tag(spec: Partial<TagSpec>): CatalogTag {
  return {
    address: 'app:latest',
    stream: 'app',
    tag: 'latest',
    spec: {
      from: 'quay.io/org/app:1',
      importMode: 'Legacy',
      referencePolicy: 'Source',
      scheduled: false,
      insecure: false,
      preferPlatform: null,
      ...spec,
    },
    source: { transport: 'registry', ref: { registry: 'quay.io', repository: 'org/app', tag: '1' } },
    defaultPlatform: 'linux/amd64',
    scheduleIntervalMs: 900_000,
    annotations: {},
    location: { file: 'imagestreams.yaml', line: 1, column: 1 },
  } as CatalogTag;
}

describe('import-image flags, checked as oc checks them', () => {
  it('take a left-out or empty --import-mode as Legacy, and say it was not named', () => {
    expect(importFlagsOf({})).toEqual({ importMode: 'Legacy', importModeImplied: true });
    expect(importFlagsOf({ importMode: '' })).toEqual({ importMode: 'Legacy', importModeImplied: true });
    expect(importFlagsOf({ importMode: 'Legacy' })).toEqual({ importMode: 'Legacy', importModeImplied: false });
  });

  it('refuse a bad mode or reference policy with oc import-image’s messages', () => {
    expect(() => importFlagsOf({ importMode: 'legacy' })).toThrow(
      new UsageError('valid ImportMode values are Legacy or PreserveOriginal'),
    );
    expect(() => importFlagsOf({ referencePolicy: 'mirror' })).toThrow(
      new UsageError('valid reference policy values are source or local'),
    );
    expect(importFlagsOf({ referencePolicy: 'LOCAL' }).referencePolicy).toBe('Local');
    expect(importFlagsOf({ referencePolicy: '' }).referencePolicy).toBe('Source');
  });
});

describe('the spec changes import-image makes to a tag', () => {
  it('set the mode always, and note when the implied Legacy replaces another mode', () => {
    const preserving = tag({ importMode: 'PreserveOriginal' });
    expect(importChanges(importFlagsOf({}), preserving)).toEqual({
      changes: { importMode: 'Legacy' },
      notes: [{ kind: 'import-mode', address: 'app:latest', from: 'PreserveOriginal', to: 'Legacy' }],
    });
    expect(importChanges(importFlagsOf({ importMode: 'Legacy' }), preserving).notes).toEqual([]);
    expect(importChanges(importFlagsOf({}), undefined).notes).toEqual([]);
  });

  it('OR --scheduled and --insecure with the tag’s values, noting a false that leaves one on', () => {
    const on = tag({ scheduled: true, insecure: true });
    expect(importChanges(importFlagsOf({ scheduled: false, insecure: false }), on)).toEqual({
      changes: { importMode: 'Legacy', scheduled: true, insecure: true },
      notes: [
        { kind: 'kept-on', address: 'app:latest', setting: 'scheduled' },
        { kind: 'kept-on', address: 'app:latest', setting: 'insecure' },
      ],
    });
    expect(importChanges(importFlagsOf({ scheduled: true }), tag({})).changes.scheduled).toBe(true);
    expect(importChanges(importFlagsOf({ scheduled: false }), undefined).changes.scheduled).toBe(false);
  });

  it('change the reference policy only when it is given', () => {
    expect(importChanges(importFlagsOf({}), tag({ referencePolicy: 'Local' })).changes).not.toHaveProperty(
      'referencePolicy',
    );
    expect(
      importChanges(importFlagsOf({ referencePolicy: 'source' }), tag({ referencePolicy: 'Local' })).changes,
    ).toMatchObject({
      referencePolicy: 'Source',
    });
  });
});
