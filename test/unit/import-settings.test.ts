import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import type { CatalogTag } from '../../src/core/catalog.js';
import { UsageError } from '../../src/core/errors.js';
import { importChanges, importFlagsOf } from '../../src/operations/import-settings.js';

/** The tag `app:latest` of a catalog, with the given keys besides its source. */
function tag(keys: Record<string, string | boolean> = {}): CatalogTag {
  const lines = Object.entries(keys).map(([key, value]) => `        ${key}: ${value}`);
  const text = ['apiVersion: imagestreams/v1', 'kind: Catalog', 'streams:', '  app:', '    tags:', '      latest:'];
  text.push('        from: quay.io/org/app:1', ...lines);
  return parseCatalog(`${text.join('\n')}\n`, '/catalogs/imagestreams.yaml').tags[0]!;
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
    expect(importChanges(importFlagsOf({ scheduled: true }), tag()).changes.scheduled).toBe(true);
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
