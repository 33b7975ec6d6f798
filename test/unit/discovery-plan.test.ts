import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import type { Catalog } from '../../src/core/catalog.js';
import type { DiscoveredTags, StreamDiscovery } from '../../src/core/discovery.js';
import { CatalogError, PlanMismatchError, RegistryError } from '../../src/core/errors.js';
import { hasErrors, type Plan, type PlanDocument } from '../../src/core/plan-model.js';
import type { State } from '../../src/core/state-model.js';
import { type CatalogRepositories, catalogRepositories } from '../../src/engine/catalog-repositories.js';
import type { Discoverer } from '../../src/engine/discover.js';
import { planCatalog } from '../../src/engine/plan.js';
import type { PolicyOfDiscovery } from '../../src/engine/saved-plan/frozen-discoveries.js';
import { proveSavedPlan } from '../../src/engine/saved-plan/saved-plan.js';
import { renderPlanJson } from '../../src/render/plan-json.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { planProblems } from '../../src/state/plan-schema.js';
import { appliedState } from '../helpers/applied-state.js';
import { type TempDir, tempDir } from '../helpers/cli.js';
import { writeVersionTags } from '../helpers/images.js';

let temp: TempDir;
let repositories: CatalogRepositories | undefined;

const VERSIONS = ['14.9', '15.1', '16.2', '17.0', '18.0'];

beforeEach(() => {
  temp = tempDir('imagestreams-discovery-plan-');
  upstream(VERSIONS);
});

afterEach(async () => {
  await repositories?.close();
  repositories = undefined;
});

function upstream(tags: string[]): void {
  writeVersionTags(join(temp.path, 'upstream'), tags, ['linux/amd64', 'linux/arm64']);
}

/** A catalog whose `postgres` stream follows the image layout `upstream`, keeping the newest 2 of `>=15 <18`. */
function catalog(options: { prune?: boolean } = {}, explicitTags = ''): Catalog {
  const text = `apiVersion: imagestreams/v1
kind: Catalog
streams:
  base:
    tags:
      pinned: { from: "oci:upstream:14.9" }
  postgres:
    discover:
      from: oci:upstream
      policy: { semver: '>=15 <18' }
      keep: 2
      prune: ${options.prune ?? true}
      importMode: PreserveOriginal
    tags:
      custom: { from: "oci:upstream:14.9" }
${explicitTags}`;
  return parseCatalog(text, join(temp.path, 'imagestreams.yaml'), { displayPath: 'imagestreams.yaml' });
}

/** A stand-in for the registry's listing and the semver policy: keeps the newest `keep` tags in range. */
function keepNewest(listing: string[] | Error, calls: string[] = []): Discoverer {
  return async (discovery) => {
    calls.push(discovery.stream);
    if (listing instanceof Error) throw listing;
    return select(discovery, listing);
  };
}

function select(discovery: StreamDiscovery, tags: readonly string[]): DiscoveredTags {
  const inRange = tags.filter((t) => Number(t) >= 15 && Number(t) < 18);
  const kept = [...inRange].sort((a, b) => Number(b) - Number(a)).slice(0, discovery.keep);
  return { kept, listed: tags.length, filtered: 0, unordered: 0, outOfRange: tags.length - inRange.length };
}

const policy: PolicyOfDiscovery = async (discovery, tags) => select(discovery, tags).kept;

function openTag(cat: Catalog) {
  repositories ??= catalogRepositories(cat, { env: {}, homeDir: temp.path });
  return repositories.openTag;
}

function plan(cat: Catalog, state: State | null, discover: Discoverer, targets: string[] = []): Promise<Plan> {
  return planCatalog(cat, state, {
    targets,
    reimport: [],
    refresh: true,
    concurrency: 4,
    openTag: openTag(cat),
    discover,
  });
}

function actions(planned: Plan): string[] {
  return planned.changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.address}`);
}

describe('planning a stream that discovers its tags', () => {
  it('plans the kept tags as tags of the stream, from the listed repository with the discovery defaults', async () => {
    const planned = await plan(catalog(), null, keepNewest(VERSIONS));
    expect(actions(planned)).toEqual([
      'create base:pinned',
      'create postgres:custom',
      'create postgres:17.0',
      'create postgres:16.2',
    ]);
    const created = planned.changes.find((c) => c.address === 'postgres:17.0')!;
    expect(created.spec).toMatchObject({ from: 'oci:upstream:17.0', importMode: 'PreserveOriginal' });
    expect(created.platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(planned.discoveries).toEqual([
      expect.objectContaining({ stream: 'postgres', tags: ['17.0', '16.2'], added: ['17.0', '16.2'], removed: [] }),
    ]);
  });

  it('says per discovery how many tags it kept of how many, and why the others were left out', async () => {
    const planned = await plan(catalog(), null, keepNewest(VERSIONS));
    const text = renderPlanText(planned, { color: false, abbrev: true });
    expect(text.split('\n')[0]).toBe(
      'postgres: discovered 2 of 5 tags from oci:upstream (semver >=15 <18); 2 out of range',
    );
    expect(planProblems(JSON.parse(renderPlanJson(planned)))).toEqual([]);
  });

  it('adds a new upstream version and removes the tag that left the window', async () => {
    const cat = catalog();
    const state = appliedState(await plan(cat, null, keepNewest(VERSIONS)));
    upstream([...VERSIONS, '17.1']);
    const planned = await plan(cat, state, keepNewest([...VERSIONS, '17.1']));
    expect(actions(planned)).toEqual(['create postgres:17.1', 'delete postgres:16.2']);
    expect(planned.discoveries![0]).toMatchObject({ added: ['17.1'], removed: ['16.2'], retained: [] });
  });

  it('keeps a tag that left the window when the discovery does not prune', async () => {
    const cat = catalog({ prune: false });
    const state = appliedState(await plan(cat, null, keepNewest(VERSIONS)));
    upstream([...VERSIONS, '17.1']);
    const planned = await plan(cat, state, keepNewest([...VERSIONS, '17.1']));
    expect(actions(planned)).toEqual(['create postgres:17.1']);
    expect(planned.changes.find((c) => c.address === 'postgres:16.2')!.action).toBe('noop');
    expect(planned.discoveries![0]).toMatchObject({ removed: [], retained: ['16.2'] });
  });

  it('leaves the discovered tags as they are when the listing fails, and says why', async () => {
    const cat = catalog();
    const state = appliedState(await plan(cat, null, keepNewest(VERSIONS)));
    const refused = new RegistryError('TooManyRequests', 'the registry answered 429 Too Many Requests');
    const planned = await plan(cat, state, keepNewest(refused));
    expect(actions(planned)).toEqual([]);
    expect(planned.changes.filter((c) => c.stream === 'postgres').map((c) => c.tag)).toEqual([
      'custom',
      '16.2',
      '17.0',
    ]);
    expect(planned.discoveries![0]!.error).toEqual({
      reason: 'TooManyRequests',
      message: 'listing oci:upstream: the registry answered 429 Too Many Requests',
    });
    expect(hasErrors(planned)).toBe(true);
    expect(renderPlanText(planned, { color: false, abbrev: true })).toContain('postgres: could not list');
  });

  it('never takes a tag of the state that the catalog writes, or that came from elsewhere, for a discovered one', async () => {
    const cat = catalog();
    const state = appliedState(await plan(cat, null, keepNewest(VERSIONS)));
    state.streams.postgres!.tags['15.1'] = {
      ...state.streams.postgres!.tags.custom!,
      spec: { ...state.streams.postgres!.tags.custom!.spec, from: 'oci:elsewhere:15.1' },
    };
    const planned = await plan(cat, state, keepNewest(VERSIONS));
    expect(actions(planned)).toEqual(['delete postgres:15.1']);
    expect(planned.discoveries![0]!.removed).toEqual([]);
  });

  it('refuses a kept tag that has the name of a tag the catalog writes in the stream', async () => {
    const cat = catalog({}, '      "17.0": { from: "oci:upstream:14.9" }');
    const error = await plan(cat, null, keepNewest(VERSIONS)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CatalogError);
    expect((error as Error).message).toMatch(/^imagestreams\.yaml:\d+:7: error: tag "17\.0" of stream "postgres"/);
  });

  it('lists only the discoveries of the streams --target names', async () => {
    const calls: string[] = [];
    const planned = await plan(catalog(), null, keepNewest(VERSIONS, calls), ['base']);
    expect(calls).toEqual([]);
    expect(planned.discoveries).toBeUndefined();
    const targeted = await plan(catalog(), null, keepNewest(VERSIONS, calls), ['postgres:17.0']);
    expect(calls).toEqual(['postgres']);
    expect(actions(targeted)).toEqual(['create postgres:17.0']);
  });
});

describe('a saved plan of discovered tags', () => {
  function saved(planned: Plan, edit: (plan: PlanDocument) => void = () => {}): PlanDocument {
    const copy = JSON.parse(renderPlanJson(planned)) as PlanDocument;
    edit(copy);
    return copy;
  }

  function prove(cat: Catalog, document: PlanDocument, state: State | null) {
    return proveSavedPlan(document, cat, state, { openTag: openTag(cat), concurrency: 4, policy });
  }

  it('imports exactly the tags it recorded, without listing again', async () => {
    const cat = catalog();
    const state = appliedState(await plan(cat, null, keepNewest(VERSIONS)));
    upstream([...VERSIONS, '17.1']);
    const planned = await plan(cat, state, keepNewest([...VERSIONS, '17.1']));
    upstream([...VERSIONS, '17.1', '17.2']);
    const proven = await prove(cat, saved(planned), state);
    expect(actions(proven.plan)).toEqual(['create postgres:17.1', 'delete postgres:16.2']);
    expect(proven.catalog.tags.map((t) => t.address)).toContain('postgres:17.1');
    expect(proven.catalog.tags.map((t) => t.address)).not.toContain('postgres:17.2');
  });

  it('applies a plan made for a discovered tag named with --target', async () => {
    const cat = catalog();
    const planned = await plan(cat, null, keepNewest(VERSIONS), ['postgres:16.2']);
    expect(actions(planned)).toEqual(['create postgres:16.2']);
    const proven = await prove(cat, saved(planned), null);
    expect(actions(proven.plan)).toEqual(['create postgres:16.2']);
  });

  it('refuses recorded tags the catalog policy would not keep', async () => {
    const cat = catalog();
    const planned = await plan(cat, null, keepNewest(VERSIONS));
    const outOfRange = saved(planned, (p) => {
      p.discoveries![0]!.tags = ['18.0', '17.0'];
    });
    await expect(prove(cat, outOfRange, null)).rejects.toThrow(PlanMismatchError);
    const tooMany = saved(planned, (p) => {
      p.discoveries![0]!.tags = ['17.0', '16.2', '15.1'];
    });
    await expect(prove(cat, tooMany, null)).rejects.toThrow(/keeps more tags than the catalog allows/);
  });

  it('refuses a plan whose recorded discovery and changes disagree', async () => {
    const cat = catalog();
    const planned = await plan(cat, null, keepNewest(VERSIONS));
    const fewer = saved(planned, (p) => {
      p.discoveries![0]!.tags = ['17.0'];
    });
    await expect(prove(cat, fewer, null)).rejects.toThrow(/change 4 \(postgres:16\.2\) is not one plan makes/);
    const missing = saved(planned, (p) => {
      delete p.discoveries;
    });
    await expect(prove(cat, missing, null)).rejects.toThrow(/records no discovery for the stream postgres/);
  });

  it('keeps the discovered tags as they are when the saved plan recorded a failed listing', async () => {
    const cat = catalog();
    const state = appliedState(await plan(cat, null, keepNewest(VERSIONS)));
    const refused = new RegistryError('Unauthorized', 'authentication required');
    const planned = await plan(cat, state, keepNewest(refused));
    const proven = await prove(cat, saved(planned), state);
    expect(actions(proven.plan)).toEqual([]);
    expect(proven.plan.discoveries![0]!.error!.reason).toBe('Unauthorized');
  });
});
