import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/plan-model.js';
import { applyOperation } from '../../src/operations/apply.js';
import { unresolvableCatalog } from './operations-fixtures.js';

describe('apply without a saved plan', () => {
  it('shows the plan, asks nothing when there is nothing to import, and counts unresolved tags as failed', async () => {
    const planned: Plan[] = [];
    const asked: Plan[] = [];
    const outcome = await applyOperation(unresolvableCatalog(), {
      onPlanned: (plan) => planned.push(plan),
      approve: async (plan) => {
        asked.push(plan);
        return true;
      },
    });

    expect(planned).toHaveLength(1);
    expect(asked).toEqual([]);
    expect(outcome.ran).toBe(false);
    expect(outcome.applied).toEqual({ imported: [], removed: [], failed: [] });
    expect(outcome.result.failed.map((f) => [f.address, f.reason])).toEqual([['app:v1', 'NotFound']]);
    expect(outcome.state.serial).toBe(0);
  });
});
