import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/index.js';
import type { Catalog } from '../../src/core/catalog.js';
import type { Plan } from '../../src/core/plan-model.js';
import { applyOperation } from '../../src/operations/apply.js';
import { type TempDir, tempDir } from '../helpers/cli.js';

let work: TempDir;
afterEach(() => work?.remove());

function unresolvableCatalog(): Catalog {
  work = tempDir('imagestreams-operations-apply-');
  const text =
    'apiVersion: imagestreams/v1\nkind: Catalog\nstreams:\n  app:\n    tags:\n      v1:\n        from: oci:missing:1\n';
  return parseCatalog(text, join(work.path, 'imagestreams.yaml'));
}

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
