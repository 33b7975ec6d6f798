import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import type { Catalog } from '../../src/core/catalog.js';
import type { Plan, PlanDocument } from '../../src/core/plan-model.js';
import type { PlanOptions } from '../../src/engine/plan.js';
import { proveSavedPlan } from '../../src/engine/saved-plan/saved-plan.js';
import { planScheduledTags } from '../../src/engine/scheduled-plan.js';
import { catalogDiscovery } from '../../src/operations/discovery.js';
import { renderPlanJson } from '../../src/render/plan-json.js';
import { appliedState } from '../helpers/applied-state.js';
import { useLayoutUpstream } from '../helpers/layout-upstream.js';

const work = useLayoutUpstream('imagestreams-scheduled-discovery-');

beforeEach(() => {
  work.upstream(['15.1', '16.2', '18.0']);
});

/**
 * `app:edge` scheduled and `app:stable` pinned, written out; `postgres` discovers the newest 2 of `>=15 <18`
 * in `upstream`, its tags scheduled unless `scheduled: false`.
 */
function catalog(scheduled = true): Catalog {
  const text = `apiVersion: imagestreams/v1
kind: Catalog
streams:
  app:
    tags:
      edge: { from: "oci:upstream:18.0", scheduled: true }
      stable: { from: "oci:upstream:18.0" }
  postgres:
    discover:
      from: oci:upstream
      policy: { semver: '>=15 <18' }
      keep: 2
      scheduled: ${scheduled}
`;
  return parseCatalog(text, join(work.path, 'imagestreams.yaml'), { displayPath: 'imagestreams.yaml' });
}

function options(cat: Catalog, targets: string[] = []): PlanOptions {
  const repositories = work.open(cat);
  return {
    targets,
    reimport: [],
    refresh: true,
    concurrency: 4,
    openTag: repositories.openTag,
    discover: catalogDiscovery(repositories).discover,
  };
}

function actions(planned: Plan): string[] {
  return planned.changes.map((c) => `${c.action} ${c.address}`);
}

describe('plan --scheduled-only and a stream whose discovered tags are scheduled', () => {
  it('lists the repository and plans the new version and the tag leaving the window with the scheduled tags', async () => {
    const cat = catalog();
    const state = appliedState(await planScheduledTags(cat, null, options(cat)));
    expect(Object.keys(state.streams.postgres!.tags).sort()).toEqual(['15.1', '16.2']);

    work.upstream(['15.1', '16.2', '17.0', '18.0']);
    const planned = await planScheduledTags(cat, state, options(cat));
    expect(actions(planned)).toEqual([
      'noop app:edge',
      'create postgres:17.0',
      'noop postgres:16.2',
      'delete postgres:15.1',
    ]);
    expect(planned.discoveries).toEqual([
      expect.objectContaining({ stream: 'postgres', tags: ['17.0', '16.2'], added: ['17.0'], removed: ['15.1'] }),
    ]);
  });

  it('takes --target STREAM of such a stream, and only its tags', async () => {
    const cat = catalog();
    const planned = await planScheduledTags(cat, null, options(cat, ['postgres']));
    expect(actions(planned)).toEqual(['create postgres:16.2', 'create postgres:15.1']);
  });

  it('lists nothing for a stream whose discovered tags are pinned', async () => {
    const cat = catalog(false);
    const planned = await planScheduledTags(cat, null, options(cat));
    expect(actions(planned)).toEqual(['create app:edge']);
    expect(planned.discoveries).toBeUndefined();
  });

  it('is a saved plan apply proves, with the tags it discovered', async () => {
    const cat = catalog();
    const state = appliedState(await planScheduledTags(cat, null, options(cat)));
    work.upstream(['15.1', '16.2', '17.0', '18.0']);
    const planned = await planScheduledTags(cat, state, options(cat));
    const saved = JSON.parse(renderPlanJson(planned)) as PlanDocument;
    const { openTag } = options(cat);
    const policy = catalogDiscovery(work.first).policy;
    const proven = await proveSavedPlan(saved, cat, state, { openTag, concurrency: 4, policy });
    expect(actions(proven.plan)).toEqual(actions(planned));
  });
});

describe('plan --scheduled-only of a catalog whose only stream discovers pinned tags', () => {
  it('is an empty plan that apply accepts without asking for the discoveries it did not list', async () => {
    const cat = parseCatalog(
      `apiVersion: imagestreams/v1\nkind: Catalog\nstreams:\n  postgres:\n    discover: { from: oci:upstream, policy: { semver: '>=15' } }\n`,
      join(work.path, 'imagestreams.yaml'),
    );
    const planned = await planScheduledTags(cat, null, options(cat));
    expect(planned.changes).toEqual([]);
    const saved = JSON.parse(renderPlanJson(planned)) as PlanDocument;
    const policy = catalogDiscovery(work.first).policy;
    const proven = await proveSavedPlan(saved, cat, null, { openTag: work.first.openTag, concurrency: 1, policy });
    expect(proven.plan.changes).toEqual([]);
  });
});

describe('a saved plan --scheduled-only whose listing failed, of a stream the state holds no tag of', () => {
  /** `postgres` discovers scheduled tags in a layout that is not there; `app:edge` scheduled, `other` pinned discovery. */
  function failing(lines: string[]): Catalog {
    const text = `apiVersion: imagestreams/v1
kind: Catalog
streams:
${lines.join('\n')}
  postgres:
    discover: { from: oci:gone, policy: { semver: '>=15' }, scheduled: true }
`;
    return parseCatalog(text, join(work.path, 'imagestreams.yaml'), { displayPath: 'imagestreams.yaml' });
  }

  async function savedAndProven(cat: Catalog) {
    const planned = await planScheduledTags(cat, null, options(cat));
    const saved = JSON.parse(renderPlanJson(planned)) as PlanDocument;
    const policy = catalogDiscovery(work.first).policy;
    const proven = await proveSavedPlan(saved, cat, null, { openTag: work.first.openTag, concurrency: 1, policy });
    return { planned, proven };
  }

  const FAILED = [{ stream: 'postgres', error: expect.objectContaining({ reason: 'NotFound' }) }];

  it('is applied as planned beside the other scheduled tags, the failed listing reported as in the plan', async () => {
    const cat = failing(['  app:', '    tags:', '      edge: { from: "oci:upstream:18.0", scheduled: true }']);
    const { planned, proven } = await savedAndProven(cat);
    expect(actions(planned)).toEqual(['create app:edge']);
    expect(actions(proven.plan)).toEqual(['create app:edge']);
    expect(proven.plan.discoveries).toEqual(FAILED.map((d) => expect.objectContaining(d)));
    expect(proven.plan.discoveries).toEqual(planned.discoveries);
  });

  it('is applied as planned when nothing else is scheduled, beside a stream whose discovered tags are pinned', async () => {
    const cat = failing(['  other:', "    discover: { from: oci:upstream, policy: { semver: '>=15' } }"]);
    const { planned, proven } = await savedAndProven(cat);
    expect(planned.changes).toEqual([]);
    expect(proven.plan.changes).toEqual([]);
    expect(proven.plan.discoveries).toEqual(FAILED.map((d) => expect.objectContaining(d)));
  });
});

describe('what limited a saved plan --scheduled-only, which its file records only as targets', () => {
  async function limitOf(cat: Catalog, state: Parameters<typeof planScheduledTags>[1], targets: string[] = []) {
    const planned = await planScheduledTags(cat, state, options(cat, targets));
    const saved = JSON.parse(renderPlanJson(planned)) as PlanDocument;
    const policy = catalogDiscovery(work.first).policy;
    const proven = await proveSavedPlan(saved, cat, state, { openTag: work.first.openTag, concurrency: 4, policy });
    return { targets: proven.plan.targets, limitedBy: proven.limitedBy };
  }

  it('is --scheduled-only for the scheduled tags and every discovered tag of a scheduled discovery', async () => {
    const cat = catalog();
    const state = appliedState(await planScheduledTags(cat, null, options(cat)));
    work.upstream(['15.1', '16.2', '17.0', '18.0']);
    expect(await limitOf(cat, state)).toEqual({
      targets: ['app:edge', 'postgres:17.0', 'postgres:16.2', 'postgres:15.1'],
      limitedBy: 'scheduled-only',
    });
  });

  it('is --target when a --target left out scheduled tags, written or discovered', async () => {
    const cat = catalog();
    const state = appliedState(await planScheduledTags(cat, null, options(cat)));
    expect(await limitOf(cat, state, ['postgres'])).toEqual({
      targets: ['postgres:16.2', 'postgres:15.1'],
      limitedBy: 'target',
    });
    expect(await limitOf(cat, state, ['app'])).toEqual({ targets: ['app:edge'], limitedBy: 'target' });
  });

  it('is --scheduled-only for a plan of failed listings only, whose targets are the streams', async () => {
    const cat = parseCatalog(
      `apiVersion: imagestreams/v1\nkind: Catalog\nstreams:\n  postgres:\n    discover: { from: oci:gone, policy: { semver: '>=15' }, scheduled: true }\n`,
      join(work.path, 'imagestreams.yaml'),
    );
    expect(await limitOf(cat, null)).toEqual({ targets: ['postgres'], limitedBy: 'scheduled-only' });
  });

  it('is --scheduled-only beside a stream whose discovered tags are pinned, which it leaves out', async () => {
    expect(await limitOf(catalog(false), null)).toEqual({ targets: ['app:edge'], limitedBy: 'scheduled-only' });
  });

  it('is nothing for a catalog without a scheduled tag: the plan is empty and has no targets', async () => {
    const cat = parseCatalog(
      `apiVersion: imagestreams/v1\nkind: Catalog\nstreams:\n  postgres:\n    discover: { from: oci:upstream, policy: { semver: '>=15' } }\n`,
      join(work.path, 'imagestreams.yaml'),
    );
    expect(await limitOf(cat, null)).toEqual({ targets: [], limitedBy: undefined });
  });
});
