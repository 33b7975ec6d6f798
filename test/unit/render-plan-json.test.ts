import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { TagSpec } from '../../src/core/catalog.js';
import { planDocument, renderPlanJson } from '../../src/render/plan-json.js';
import { imageItem, manifest, planOf, resolved, spec } from '../fixtures/plans/factories.js';
import { largePlan, SCENARIOS } from '../fixtures/plans/scenarios.js';

const schema = JSON.parse(readFileSync(new URL('../../schemas/plan.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

// biome-ignore lint/suspicious/noExplicitAny: the tests edit parsed JSON documents freely
type JsonObject = Record<string, any>;

function problems(document: unknown): string[] {
  return validate(document) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** The mixed plan as rendered, changed by `edit` (which may mutate it). */
function edited(edit: (document: JsonObject) => void): unknown {
  const document = JSON.parse(renderPlanJson(SCENARIOS.mixed!));
  edit(document);
  return document;
}

/** The first change of the document with `action`. */
function first(document: JsonObject, action: string): JsonObject {
  return document.changes.find((change: { action: string }) => change.action === action);
}

const scenarios = Object.entries(SCENARIOS);

describe('renderPlanJson', () => {
  it.each(scenarios)('writes a %s plan the schema accepts', (_name, plan) => {
    expect(problems(JSON.parse(renderPlanJson(plan)))).toEqual([]);
  });

  it('writes a large plan the schema accepts', () => {
    expect(problems(JSON.parse(renderPlanJson(largePlan(200, 20))))).toEqual([]);
  });

  it.each(scenarios)('serialises the %s plan model, each prior spec shown as the specDiff', (_name, plan) => {
    const document = JSON.parse(renderPlanJson(plan));
    expect({ ...document, changes: [] }).toEqual({ ...plan, changes: [] });
    expect(document.changes.map(({ specDiff: _, ...change }: JsonObject) => change)).toEqual(
      plan.changes.map(({ priorSpec: _, ...change }) => change),
    );
    expect(document.changes.map((change: JsonObject) => change.specDiff !== null)).toEqual(
      plan.changes.map((change) => change.priorSpec !== null),
    );
  });

  it('indents by two spaces, ends with a newline and starts with the format version', () => {
    const out = renderPlanJson(SCENARIOS.mixed!);
    expect(out.startsWith('{\n  "formatVersion": "1.0",\n  "createdAt": "2026-11-28T10:00:00.000Z",\n')).toBe(true);
    expect(out.endsWith('}\n')).toBe(true);
  });

  it('carries full digests', async () => {
    const out = renderPlanJson(SCENARIOS.mixed!);
    await expect(out).toMatchFileSnapshot('./__snapshots__/plan-json-mixed.json');
    expect(out.match(/"sha256:[a-f0-9]*"/g)?.every((d) => d.length === 64 + 9)).toBe(true);
  });
});

describe('planDocument: specDiff', () => {
  const APP = 'quay.io/org/app:1';
  const item = imageItem(APP, manifest('linux/amd64', 'a1'));

  function specDiff(before: TagSpec, after: TagSpec): string | null {
    const tag = { address: 'app:1', catalog: after, state: { spec: before, item }, observed: resolved(item) };
    return planDocument(planOf([tag])).changes[0]!.specDiff;
  }

  it('marks changed lines with - and + and keeps the others', () => {
    expect(specDiff(spec(APP), spec(APP, { scheduled: true }))).toBe(
      [
        '  from: quay.io/org/app:1',
        '  importMode: Legacy',
        '  referencePolicy: Source',
        '- scheduled: false',
        '+ scheduled: true',
        '  insecure: false',
        '  preferPlatform: null',
      ].join('\n'),
    );
  });

  it('lists the old values of adjacent changed keys, then their new ones', () => {
    const after = spec(APP, { scheduled: true, insecure: true, preferPlatform: 'linux/arm64' });
    expect(specDiff(spec(APP), after)?.split('\n').slice(3)).toEqual([
      '- scheduled: false',
      '- insecure: false',
      '- preferPlatform: null',
      '+ scheduled: true',
      '+ insecure: true',
      '+ preferPlatform: linux/arm64',
    ]);
  });

  it('is null when the spec did not change', () => {
    expect(specDiff(spec(APP), spec(APP))).toBeNull();
  });
});

describe('schemas/plan.schema.json', () => {
  it.each<[string, string, (document: JsonObject) => void]>([
    ['another format version', '/formatVersion ', (d) => (d.formatVersion = '2.0')],
    ['a missing summary', " must have required property 'summary'", (d) => delete d.summary],
    ['an unknown top-level key', ' must NOT have additional properties', (d) => (d.extra = true)],
    ['a catalog digest that is not sha256', '/catalog/sha256 ', (d) => (d.catalog.sha256 = 'md5:0123')],
    ['an unknown action', '/changes/0/action ', (d) => (first(d, 'update').action = 'replace')],
    ['an unknown reason', '/changes/0/reason ', (d) => (first(d, 'update').reason = 'because')],
    ['a create that is not a new tag', '/changes/2/reason ', (d) => (first(d, 'create').reason = 'spec_changed')],
    [
      'a create with a prior item',
      '/changes/2/before ',
      (d) => (first(d, 'create').before = first(d, 'update').before),
    ],
    ['an update without a reason', '/changes/0/reason ', (d) => (first(d, 'update').reason = null)],
    ['a noop with a reason', '/changes/1/reason ', (d) => (first(d, 'noop').reason = 'upstream_moved')],
    [
      'a delete that records an item',
      '/changes/6/after ',
      (d) => (first(d, 'delete').after = first(d, 'update').after),
    ],
    ['an unknown Legacy rule', '/changes/2/selectedBy ', (d) => (first(d, 'create').selectedBy = 'host platform')],
    ['an unknown import mode', '/changes/0/importMode ', (d) => (d.changes[0].importMode = 'Preserve')],
    ['a short digest', '/changes/0/after/digest ', (d) => (d.changes[0].after.digest = 'sha256:77aa01b2c3d4')],
    [
      'an upper-case digest',
      '/changes/0/after/manifests/0/digest ',
      (d) => (d.changes[0].after.manifests[0].digest = d.changes[0].after.manifests[0].digest.toUpperCase()),
    ],
    [
      'a before item without its generation',
      "/changes/0/before must have required property 'generation'",
      (d) => delete d.changes[0].before.generation,
    ],
    [
      'a platform row created over a digest',
      '/changes/0/platforms/3/before ',
      (d) => (d.changes[0].platforms[3].before = d.changes[0].platforms[3].after),
    ],
    [
      'a platform row updated to nothing',
      '/changes/0/platforms/0/after ',
      (d) => (d.changes[0].platforms[0].after = null),
    ],
    ['an unknown row action', '/changes/0/platforms/0/action ', (d) => (d.changes[0].platforms[0].action = 'replace')],
    [
      'a drift without its upstream digest',
      "/drift/0 must have required property 'upstream'",
      (d) => delete d.drift[0].upstream,
    ],
    ['an unknown import failure reason', '/errors/0/reason ', (d) => (d.errors[0].reason = 'Timeout')],
    ['a negative count', '/summary/noop ', (d) => (d.summary.noop = -1)],
    ['an address without a tag', '/errors/0/address ', (d) => (d.errors[0].address = 'private')],
  ])('rejects %s', (_name, problem, edit) => {
    expect(problems(edited(edit)).filter((p) => p.startsWith(problem))).not.toEqual([]);
  });

  it('accepts a plan without prior state, and a Legacy item recorded from a list', () => {
    const document = JSON.parse(renderPlanJson(SCENARIOS.create!));
    expect(document.priorState).toBeNull();
    expect(document.changes[1].after.selectedBy).toBe('tag preference');
    expect(problems(document)).toEqual([]);
  });
});
