import { describe, expect, it } from 'vitest';
import type { CatalogTag } from '../../src/core/catalog.js';
import { UsageError } from '../../src/core/errors.js';
import { planOperation } from '../../src/operations/plan.js';
import { readState } from '../../src/operations/reads.js';
import { withLockedState } from '../../src/operations/state.js';
import { settingChanges } from '../../src/operations/tag-changes.js';
import { writePlannedTag } from '../../src/operations/tag-import.js';
import { unresolvableCatalog } from './operations-fixtures.js';

const neverOpened = (): never => {
  throw new Error('no repository may be opened for a tag that could not be resolved');
};

describe('writing a planned tag', () => {
  it('records a source that could not be resolved as a failed condition, without importing', async () => {
    const catalog = unresolvableCatalog();
    const tag: CatalogTag = catalog.tags[0]!;
    const plan = await planOperation(catalog);
    const at = new Date('2025-01-02T03:04:05.000Z');

    const failure = await withLockedState(catalog.statePath, { operation: 'test', timeoutMs: 0 }, (store) =>
      writePlannedTag(plan, tag, store, { openTag: neverOpened, now: () => at }),
    );

    expect(failure?.reason).toBe('NotFound');
    const recorded = (await readState(catalog.statePath)).streams.app!.tags.v1!;
    expect(recorded.items).toEqual([]);
    expect(recorded.conditions).toMatchObject([
      { type: 'ImportSuccess', status: 'False', reason: 'NotFound', lastTransitionTime: at.toISOString() },
    ]);
  });
});

describe('tag settings given as flags', () => {
  it('become spec changes, leaving settings not given as they are', () => {
    expect(settingChanges({ importMode: 'PreserveOriginal', referencePolicy: 'LOCAL', scheduled: false })).toEqual({
      importMode: 'PreserveOriginal',
      referencePolicy: 'Local',
      scheduled: false,
    });
    expect(settingChanges({})).toEqual({});
  });

  it('refuse an unknown import mode or reference policy', () => {
    expect(() => settingChanges({ importMode: 'Sometimes' })).toThrow(UsageError);
    expect(() => settingChanges({ referencePolicy: 'elsewhere' })).toThrow(
      "reference policy must be set to 'source' or 'local'",
    );
  });
});
