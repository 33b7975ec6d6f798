import { describe, expect, it } from 'vitest';
import type { CatalogTag } from '../../src/core/catalog.js';
import { targetSelection } from '../../src/core/target-selection.js';

const tags = ['app:1', 'app:2', 'web:latest', 'app-x:1'].map((address) => ({ address }) as CatalogTag);

describe('targetSelection', () => {
  const selected = (targets: string[], addresses = [...tags.map((t) => t.address), 'gone:old', 'app:removed']) =>
    addresses.filter(targetSelection(tags, targets));

  it('selects everything without targets', () => {
    expect(selected([])).toEqual(['app:1', 'app:2', 'web:latest', 'app-x:1', 'gone:old', 'app:removed']);
  });

  it('a stream selects all its tags, those only in the state included; a tag only itself', () => {
    expect(selected(['app'])).toEqual(['app:1', 'app:2', 'app:removed']);
    expect(selected(['app:2', 'gone:old'])).toEqual(['app:2', 'gone:old']);
  });

  it('a stream is matched by its whole name, never as a prefix', () => {
    expect(selected(['app-'])).toEqual([]);
    expect(selected(['app:'])).toEqual([]);
  });
});
