import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import { UsageError } from '../../src/core/errors.js';
import type { State } from '../../src/core/state-model.js';
import { catalogRepositories } from '../../src/engine/catalog-repositories.js';
import { planScheduledTags, scheduledTargets } from '../../src/engine/scheduled-plan.js';
import { tempDir } from '../helpers/cli.js';
import { writeImageLayout } from '../helpers/images.js';

const dir = tempDir('imagestreams-scheduled-plan-');
afterAll(() => dir.remove());
writeImageLayout(join(dir.path, 'upstream'), {
  tags: { app: { platforms: ['linux/amd64'] } },
});

function catalog(streams: Record<string, Record<string, boolean>>) {
  const text = Object.entries(streams)
    .map(
      ([stream, tags]) =>
        `  ${stream}:\n    tags:\n${Object.entries(tags)
          .map(([tag, scheduled]) => `      ${tag}:\n        from: oci:upstream:app\n        scheduled: ${scheduled}`)
          .join('\n')}`,
    )
    .join('\n');
  return parseCatalog(`apiVersion: imagestreams/v1\nkind: Catalog\nstreams:\n${text}\n`, join(dir.path, 'c.yaml'));
}

const mixed = catalog({ ubi: { latest: true, '9.4': false }, demo: { edge: true, stable: false } });

describe('plan --scheduled-only', () => {
  it.each([
    [[], ['ubi:latest', 'demo:edge']],
    [['ubi'], ['ubi:latest']],
    [
      ['demo:edge', 'ubi'],
      ['ubi:latest', 'demo:edge'],
    ],
  ])('with --target %j plans the scheduled tags %j', (targets, expected) => {
    expect(scheduledTargets(mixed, targets)).toEqual(expected);
  });

  it.each([['ubi:9.4'], ['nope']])('refuses a --target %j that selects no scheduled tag', (target) => {
    expect(() => scheduledTargets(mixed, [target])).toThrow(
      new UsageError(`--target "${target}" selects no scheduled tag of the catalog`),
    );
  });

  it('plans the scheduled tags only: pinned tags and tags gone from the catalog are left out', async () => {
    const repositories = catalogRepositories(mixed, { env: {}, homeDir: dir.path });
    const state: State = {
      version: 1,
      lineage: '5b0e7c1a-2f4d-4e8b-9a61-0c3d5e7f9b21',
      serial: 4,
      streams: { gone: { tags: { old: { spec: mixed.tags[0]!.spec, items: [], conditions: [] } } } },
    };
    const plan = await planScheduledTags(mixed, state, {
      targets: [],
      reimport: [],
      refresh: true,
      concurrency: 2,
      openTag: repositories.openTag,
    });
    await repositories.close();
    expect(plan.changes.map((c) => [c.address, c.action])).toEqual([
      ['ubi:latest', 'create'],
      ['demo:edge', 'create'],
    ]);
    expect(plan.priorState).toEqual({ lineage: state.lineage, serial: 4 });
  });

  it('is an empty plan of the same state when no tag is scheduled', async () => {
    const pinned = catalog({ ubi: { '9.4': false } });
    const state: State = { version: 1, lineage: 'lineage-1', serial: 2, streams: {} };
    const plan = await planScheduledTags(pinned, state, {
      targets: [],
      reimport: [],
      refresh: true,
      concurrency: 1,
      openTag: () => {
        throw new Error('no registry is asked');
      },
    });
    expect(plan.changes).toEqual([]);
    expect(plan.summary).toEqual({ create: 0, update: 0, delete: 0, noop: 0, drift: 0, error: 0 });
    expect(plan.priorState).toEqual({ lineage: 'lineage-1', serial: 2 });
    expect(plan.catalog).toEqual({ path: pinned.displayPath, sha256: pinned.sha256 });
  });
});
