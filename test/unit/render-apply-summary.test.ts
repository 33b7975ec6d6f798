import { describe, expect, it } from 'vitest';
import { applySummary } from '../../src/render/apply-summary.js';

describe('applySummary', () => {
  const changes = [
    { address: 'app:new', action: 'create' as const },
    { address: 'app:moved', action: 'update' as const },
    { address: 'app:gone', action: 'delete' as const },
    { address: 'app:broken', action: 'update' as const },
  ];

  it('counts new tags as imported and updated ones as re-imported, as the plan words them', () => {
    const result = {
      imported: ['app:new', 'app:moved'],
      removed: ['app:gone'],
      failed: [{ address: 'app:broken' }],
    };
    expect(applySummary(result, changes)).toBe('1 imported, 1 re-imported, 1 removed, 1 failed.');
  });

  it('says 0 for what did not happen', () => {
    expect(applySummary({ imported: [], removed: [], failed: [] }, changes)).toBe(
      '0 imported, 0 re-imported, 0 removed, 0 failed.',
    );
  });
});
