import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import type { Catalog } from '../../src/core/catalog.js';
import { PlanMismatchError } from '../../src/core/errors.js';
import type { Plan, PlanDocument, PlannedChange } from '../../src/core/plan-model.js';
import type { State } from '../../src/core/state-model.js';
import { type CatalogRepositories, catalogRepositories } from '../../src/engine/catalog-repositories.js';
import { catalogLocalStore } from '../../src/engine/local-store.js';
import { planCatalog } from '../../src/engine/plan.js';
import { asPlan, type ProvenPlan, proveSavedPlan } from '../../src/engine/saved-plan/saved-plan.js';
import { planScheduledTags } from '../../src/engine/scheduled-plan.js';
import { renderPlanJson } from '../../src/render/plan-json.js';
import { type TempDir, tempDir } from '../helpers/cli.js';
import { type GeneratedImage, writeImageLayout } from '../helpers/images.js';

let temp: TempDir;
let repositories: CatalogRepositories | undefined;
let multi: GeneratedImage;
let single: GeneratedImage;
let elsewhere: GeneratedImage;

beforeEach(() => {
  temp = tempDir('imagestreams-saved-plan-');
  const upstream = writeImageLayout(join(temp.path, 'upstream'), {
    tags: {
      multi: { platforms: ['linux/amd64', 'linux/arm64'], seed: 'multi-v1' },
      single: { platforms: ['linux/amd64'], seed: 'single-v1' },
    },
  });
  multi = upstream.tags.multi!;
  single = upstream.tags.single!;
  elsewhere = writeImageLayout(join(temp.path, 'elsewhere'), {
    tags: { other: { platforms: ['linux/amd64', 'linux/arm64'], seed: 'other' } },
  }).tags.other!;
});

afterEach(async () => {
  await repositories?.close();
  repositories = undefined;
});

function catalog(extraTags = ''): Catalog {
  const text = `apiVersion: imagestreams/v1
kind: Catalog
local:
  layout: store
streams:
  app:
    tags:
      legacy: { from: "oci:upstream:multi" }
      preserve: { from: "oci:upstream:multi", importMode: PreserveOriginal, scheduled: true }
      single: { from: "oci:upstream:single" }
      pinned: { from: "oci:upstream@${single.digest}" }
      mirrored: { from: "oci:upstream:multi", referencePolicy: Local }
${extraTags}`;
  return parseCatalog(text, join(temp.path, 'imagestreams.yaml'), { displayPath: 'imagestreams.yaml' });
}

function openTag(cat: Catalog) {
  repositories ??= catalogRepositories(cat, { env: {}, homeDir: temp.path });
  return repositories.openTag;
}

function plan(cat: Catalog, state: State | null = null, options: { reimport?: string[]; targets?: string[] } = {}) {
  return planCatalog(cat, state, {
    targets: options.targets ?? [],
    reimport: options.reimport ?? [],
    refresh: true,
    concurrency: 4,
    openTag: openTag(cat),
  });
}

/** The plan as a plan file holds it, edited by `edit`. */
function saved(planned: Plan, edit: (plan: PlanDocument) => void = () => {}): PlanDocument {
  const copy = JSON.parse(renderPlanJson(planned)) as PlanDocument;
  edit(copy);
  return copy;
}

function prove(cat: Catalog, savedPlan: PlanDocument, state: State | null = null): Promise<ProvenPlan> {
  const local = catalogLocalStore(cat, openTag(cat));
  return proveSavedPlan(savedPlan, cat, state, { openTag: openTag(cat), concurrency: 4, ...(local && { local }) });
}

function change<C extends { address: string }>(p: { changes: C[] }, address: string): C {
  return p.changes.find((c) => c.address === address)!;
}

function withoutCopy(changes: PlannedChange[]): PlannedChange[] {
  return changes.map(({ copy: _, ...rest }) => rest);
}

async function refusal(cat: Catalog, savedPlan: PlanDocument, state: State | null = null): Promise<string> {
  const error = await prove(cat, savedPlan, state).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PlanMismatchError);
  return (error as Error).message;
}

const PREFIX = "Saved plan does not match what plan derives from the catalog, the state and the plan's observations: ";

describe('proving a saved plan', () => {
  it('derives exactly the saved changes from the catalog, the state and the observed digests', async () => {
    const cat = catalog();
    const planned = await plan(cat);
    const proven = await prove(cat, saved(planned));
    expect(withoutCopy(proven.plan.changes)).toEqual(withoutCopy(planned.changes));
    expect(proven.plan.errors).toEqual([]);
    expect(proven.plan.createdAt).toBe(planned.createdAt);
    expect(proven.unreadable.size).toBe(0);
    expect(change(proven.plan, 'app:mirrored').after!.dockerImageReference).toMatch(/^oci:store\/app@sha256:/);
  });

  it('imports the planned digest of a tag that moved since the plan was made', async () => {
    const cat = catalog();
    const planned = await plan(cat);
    writeImageLayout(join(temp.path, 'upstream'), {
      tags: { multi: { platforms: ['linux/amd64', 'linux/arm64'], seed: 'multi-v2' } },
    });
    const proven = await prove(cat, saved(planned));
    expect(change(proven.plan, 'app:preserve').after!.digest).toBe(multi.digest);
    expect(change(proven.plan, 'app:legacy').after!.digest).toBe(multi.platforms['linux/amd64']!.digest);
  });

  it('accepts the --reimport and --target requests a plan was made with', async () => {
    const cat = catalog();
    const planned = await plan(cat, null, { targets: ['app:legacy', 'app:single'] });
    expect(planned.changes.map((c) => c.address)).toEqual(['app:legacy', 'app:single']);
    const proven = await prove(cat, saved(planned));
    expect(proven.plan.changes.map((c) => c.address)).toEqual(['app:legacy', 'app:single']);
  });

  it('accepts a plan reporting drift of pinned tags, which it does not apply', async () => {
    const cat = catalog();
    const state = await appliedState(cat);
    writeImageLayout(join(temp.path, 'upstream'), {
      tags: { multi: { platforms: ['linux/amd64', 'linux/arm64'], seed: 'multi-v2' } },
    });
    const planned = await plan(cat, state);
    expect(planned.drift.map((d) => d.address)).toEqual(['app:legacy', 'app:mirrored']);
    const proven = await prove(cat, saved(planned), state);
    expect(withoutCopy(proven.plan.changes)).toEqual(withoutCopy(planned.changes));
  });

  it('accepts a plan made with --refresh=false', async () => {
    const cat = catalog();
    const state = await appliedState(cat);
    writeImageLayout(join(temp.path, 'upstream'), {
      tags: { multi: { platforms: ['linux/amd64', 'linux/arm64'], seed: 'multi-v2' } },
    });
    const planned = await planCatalog(cat, state, {
      targets: [],
      reimport: ['app:single'],
      refresh: false,
      concurrency: 4,
      openTag: openTag(cat),
    });
    expect(planned.changes.map((c) => c.action)).toEqual(['noop', 'noop', 'update', 'noop', 'noop']);
    const proven = await prove(cat, saved(planned), state);
    expect(withoutCopy(proven.plan.changes)).toEqual(withoutCopy(planned.changes));
  });

  it('accepts a plan of the scheduled tags only, and one without any, which does nothing', async () => {
    const cat = catalog();
    const state = await appliedState(cat);
    writeImageLayout(join(temp.path, 'upstream'), {
      tags: { multi: { platforms: ['linux/amd64', 'linux/arm64'], seed: 'multi-v2' } },
    });
    const options = { targets: [], reimport: [], refresh: true, concurrency: 4, openTag: openTag(cat) };
    const scheduled = await planScheduledTags(cat, state, options);
    expect(scheduled.changes.map((c) => [c.address, c.action])).toEqual([['app:preserve', 'update']]);
    expect(withoutCopy((await prove(cat, saved(scheduled), state)).plan.changes)).toEqual(scheduled.changes);

    const none = catalog().tags.filter((t) => !t.spec.scheduled);
    const unscheduled = { ...cat, tags: none };
    const empty = await planScheduledTags(unscheduled, state, options);
    expect(empty.changes).toEqual([]);
    expect((await prove(unscheduled, saved(empty), state)).plan.changes).toEqual([]);
  });

  it('records an import whose planned image its source no longer holds as unreadable, to fail as an import', async () => {
    const cat = catalog();
    const missing = `sha256:${'0'.repeat(64)}`;
    const tampered = saved(await plan(cat), (p) => {
      change(p, 'app:preserve').after!.sourceDigest = missing;
    });
    const proven = await prove(cat, tampered);
    expect([...proven.unreadable].map(([address, error]) => [address, error.reason])).toEqual([
      ['app:preserve', 'NotFound'],
    ]);
  });
});

describe('a saved plan is refused, never trusted, when', () => {
  it.each<[string, (p: PlanDocument) => void, string]>([
    [
      'a Legacy import records another child of the list',
      (p) => {
        const arm64 = multi.platforms['linux/arm64']!.digest;
        const after = change(p, 'app:legacy').after!;
        after.digest = arm64;
        after.manifests = [{ ...after.manifests[0]!, platform: 'linux/amd64', digest: arm64 }];
      },
      'the change of app:legacy differs at after.digest',
    ],
    [
      'an import records the image of another tag',
      (p) => {
        change(p, 'app:single').after = { ...change(p, 'app:preserve').after!, sourceDigest: single.digest };
      },
      'the change of app:single differs at after.digest',
    ],
    [
      'a spec names another source',
      (p) => {
        change(p, 'app:single').spec!.from = 'quay.io/evil/image:latest';
      },
      'the change of app:single differs at spec.from',
    ],
    [
      'a tag of the catalog is deleted',
      (p) => {
        Object.assign(change(p, 'app:single'), {
          action: 'delete',
          reason: 'removed_from_catalog',
          spec: null,
          after: null,
        });
      },
      'app:single must be imported (new_tag), and the plan does not import it',
    ],
    [
      'a change names a tag that is neither in the catalog nor in the state',
      (p) => {
        p.changes.push({ ...change(p, 'app:single'), address: 'evil:latest', stream: 'evil', tag: 'latest' });
      },
      'change 6 (evil:latest) is not one plan makes for this catalog, state and targets',
    ],
    [
      'a change is left out',
      (p) => {
        p.changes = p.changes.filter((c) => c.address !== 'app:single');
      },
      'it lists nothing for app:single',
    ],
    [
      'a tag is listed twice',
      (p) => {
        p.changes.push(change(p, 'app:single'));
      },
      'it lists app:single twice',
    ],
    [
      'the changes come in another order',
      (p) => {
        p.changes.reverse();
      },
      'its changes are not in the order plan lists them (app:legacy)',
    ],
    [
      'a platform row is edited',
      (p) => {
        change(p, 'app:preserve').platforms[1]!.after = multi.platforms['linux/amd64']!.digest;
      },
      'the change of app:preserve differs at platforms[1].after',
    ],
    [
      'the Legacy rule is edited',
      (p) => {
        change(p, 'app:legacy').selectedBy = 'tag preference';
      },
      'the change of app:legacy differs at selectedBy',
    ],
    [
      'an import of a digest-pinned tag observes another digest',
      (p) => {
        change(p, 'app:pinned').after!.sourceDigest = multi.digest;
      },
      'the catalog pins app:pinned to a digest, and the plan imports another one for it',
    ],
    [
      'a new tag is not imported',
      (p) => {
        Object.assign(change(p, 'app:single'), { action: 'noop', reason: null });
      },
      'app:single must be imported (new_tag), and the plan does not import it',
    ],
    [
      'an import observes an image of another repository that its source also holds',
      (p) => {
        change(p, 'app:preserve').after!.sourceDigest = single.digest;
      },
      'the change of app:preserve differs at after.digest',
    ],
    [
      'the summary is edited',
      (p) => {
        p.summary.delete = 1;
      },
      'summary differ at delete',
    ],
    [
      'an error is invented',
      (p) => {
        p.errors.push({ address: 'evil:latest', reason: 'NotFound', message: 'no' });
      },
      'errors differ at [0]',
    ],
    [
      'targets name nothing the catalog or state has',
      (p) => {
        p.targets = ['evil'];
      },
      'its targets name a stream or tag that is neither in the catalog nor in the state',
    ],
  ])('%s', async (_name, edit, detail) => {
    const cat = catalog();
    expect(await refusal(cat, saved(await plan(cat), edit))).toBe(`${PREFIX}${detail}; run plan again`);
  });

  it('an update becomes a create of a tag the state holds', async () => {
    const cat = catalog();
    const state = await appliedState(cat);
    writeImageLayout(join(temp.path, 'upstream'), {
      tags: { multi: { platforms: ['linux/amd64', 'linux/arm64'], seed: 'multi-v2' } },
    });
    const planned = await plan(cat, state);
    expect(change(planned, 'app:preserve').action).toBe('update');
    const tampered = saved(planned, (p) => {
      Object.assign(change(p, 'app:preserve'), { action: 'create', reason: 'new_tag', before: null });
    });
    expect(await refusal(cat, tampered, state)).toMatch(/the change of app:preserve differs at action/);
  });

  it('a tag the state holds and the catalog keeps is deleted', async () => {
    const cat = catalog();
    const state = await appliedState(cat);
    const tampered = saved(await plan(cat, state), (p) => {
      Object.assign(change(p, 'app:single'), {
        action: 'delete',
        reason: 'removed_from_catalog',
        spec: null,
        after: null,
      });
    });
    expect(await refusal(cat, tampered, state)).toMatch(/the change of app:single differs at action;/);
  });

  it('it was made from an older state, and its priorState edited to the current serial', async () => {
    const cat = catalog();
    const older = await appliedState(cat);
    writeImageLayout(join(temp.path, 'upstream'), {
      tags: { multi: { platforms: ['linux/amd64', 'linux/arm64'], seed: 'multi-v2' } },
    });
    const planned = await plan(cat, older);
    const current = await appliedState(cat);
    current.serial = 2;
    const tampered = saved(planned, (p) => {
      p.priorState = { lineage: current.lineage, serial: current.serial };
    });
    expect(await refusal(cat, tampered, current)).toMatch(/the change of app:legacy differs at before\.sourceDigest;/);
  });

  it('the image of another repository is observed: it is not read from there, and fails as an import', async () => {
    const cat = catalog();
    const tampered = saved(await plan(cat), (p) => {
      change(p, 'app:preserve').after!.sourceDigest = elsewhere.digest;
    });
    const proven = await prove(cat, tampered);
    expect(proven.unreadable.get('app:preserve')?.reason).toBe('NotFound');
  });
});

describe('asPlan: a saved plan of the wrong shape is refused with the schema problems', () => {
  it.each<[string, (p: Record<string, unknown>) => void, RegExp]>([
    ['a null change', (p) => ((p.changes as unknown[])[1] = null), /\/changes\/1: must be object/],
    [
      'a digest of the wrong type',
      (p) => (first(p).after = { ...first(p).after, digest: 7 }),
      /after\/digest: must be string/,
    ],
    ['a change without an action', (p) => delete first(p).action, /must have required property 'action'/],
    ['an unknown field', (p) => (first(p).evil = true), /\/changes\/0: has a property the plan format does not define/],
    ['priorState of the wrong type', (p) => (p.priorState = 'latest'), /\/priorState: /],
    [
      'a newer minor format',
      (p) => (p.formatVersion = '1.7'),
      /has plan format 1\.7, newer than this version applies \(1\.0\); upgrade imagestreams/,
    ],
    ['another major format', (p) => (p.formatVersion = '2.0'), /has plan format 2\.0; this version applies 1\.0/],
  ])('%s', async (_name, edit, message) => {
    const cat = catalog();
    const document = JSON.parse(renderPlanJson(await plan(cat))) as Record<string, unknown>;
    edit(document);
    expect(() => asPlan(document, 'plan.json')).toThrow(PlanMismatchError);
    expect(() => asPlan(document, 'plan.json')).toThrow(message);
  });

  it('a file that holds no plan at all', () => {
    for (const value of [null, [], 'plan', { changes: 'none' }]) {
      expect(() => asPlan(value, 'plan.json')).toThrow('plan.json does not hold a plan');
    }
  });

  it('a path in a problem is cut short and made printable', async () => {
    const cat = catalog();
    const document = JSON.parse(renderPlanJson(await plan(cat))) as Record<string, unknown>;
    const label = { [`\u001b[31m${'x'.repeat(300)}`]: 5 };
    const image = { platform: 'linux/amd64', digest: single.digest, mediaType: 'm', size: 1 };
    const manifests = [{ ...image, image: { labels: label, layers: 1, size: 1 } }];
    const before = { ...first(document).after, created: '2026-01-01T00:00:00Z', generation: 1, manifests };
    Object.assign(first(document), { action: 'update', reason: 'reimport_requested', before });
    const message = thrownMessage(() => asPlan(document, 'plan.json'));
    expect(message).toMatch(/labels\/\?\[31mx+…: must be string/);
    expect(message).not.toContain('\u001b');
  });
});

function thrownMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

// biome-ignore lint/suspicious/noExplicitAny: the tests edit parsed JSON documents freely
function first(document: Record<string, unknown>): Record<string, any> {
  return (document.changes as Record<string, unknown>[])[0]!;
}

/** The state after importing everything the catalog plans, as apply would record it (by hand: no store needed). */
async function appliedState(cat: Catalog): Promise<State> {
  const planned = await plan(cat);
  const state: State = { version: 1, lineage: 'lineage-1', serial: 1, streams: {} };
  for (const c of planned.changes) {
    state.streams[c.stream] ??= { tags: {} };
    state.streams[c.stream]!.tags[c.tag] = {
      spec: c.spec!,
      items: [{ ...c.after!, created: '2026-01-01T00:00:00Z', generation: 1 }],
      conditions: [],
    };
  }
  return state;
}
