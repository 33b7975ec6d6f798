import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import type { Catalog } from '../../src/core/catalog.js';
import type { Plan } from '../../src/core/plan-model.js';
import { applyPlan } from '../../src/engine/apply.js';
import { catalogLocalStore } from '../../src/engine/local-store.js';
import { planCatalog } from '../../src/engine/plan.js';
import { renderPlanJson } from '../../src/render/plan-json.js';
import { renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import { copyAmount, renderPlanText } from '../../src/render/plan-text.js';
import { StateStore } from '../../src/state/index.js';
import { useLayoutUpstream } from '../helpers/layout-upstream.js';

const work = useLayoutUpstream('imagestreams-follower-copies-');

beforeEach(() => work.upstream(['1.0']));

/**
 * Every tag Local, mirrored into the default store (a layout per stream): `app:1.0` imported, `app:latest` following
 * it in its own stream, and in `prod` a tag following each of them.
 */
function catalog(): Catalog {
  const text = `apiVersion: imagestreams/v1
kind: Catalog
defaults: { referencePolicy: Local }
streams:
  app:
    tags:
      "1.0": { from: "oci:upstream:1.0" }
      latest: { from: app:1.0 }
  prod:
    tags:
      latest: { from: app:latest }
      stable: { from: app:1.0 }
`;
  return parseCatalog(text, join(work.path, 'imagestreams.yaml'), { displayPath: 'imagestreams.yaml' });
}

async function planned(cat: Catalog): Promise<Plan> {
  const { openTag } = work.open(cat);
  return planCatalog(cat, null, { targets: [], reimport: [], refresh: true, concurrency: 4, openTag });
}

/** The content files of a stream's layout in the store: each manifest and blob apply copied there, and their bytes. */
function storeContent(stream: string): { files: number; bytes: number } {
  const dir = join(work.path, '.imagestreams', 'store', stream, 'blobs', 'sha256');
  const names = readdirSync(dir);
  return { files: names.length, bytes: names.reduce((sum, name) => sum + statSync(join(dir, name)).size, 0) };
}

describe('the plan of Local tags that follow other tags', () => {
  it('counts a follower’s copy into its own repository, once per repository, where apply makes it', async () => {
    const plan = await planned(catalog());
    const copies = Object.fromEntries(plan.changes.map((c) => [c.address, c.copy && copyAmount(c.copy)]));
    const imported = copies['app:1.0']!;
    expect(imported).toMatch(/^1 manifest, \d+ blobs, .* to copy$/);
    expect(copies).toEqual({
      'app:1.0': imported,
      'app:latest': 'nothing to copy',
      'prod:latest': 'nothing to copy',
      'prod:stable': imported,
    });
    const one = plan.changes.find((c) => c.address === 'app:1.0')!.copy!;
    expect(plan.summary.copy).toEqual({ manifests: 2, blobs: 2 * one.blobs, bytes: 2 * one.bytes });
  });

  it('totals what apply copies into the store', async () => {
    const cat = catalog();
    const plan = await planned(cat);
    const repositories = work.open(cat);
    const imported = new Map(cat.tags.map((t) => [t.address, t]));
    const store = await StateStore.open(cat.statePath);
    const result = await applyPlan(plan, {
      store,
      openRepository: (change) => repositories.openTag(imported.get(change.address)!),
      local: catalogLocalStore(cat, repositories.openTag)!,
      concurrency: 1,
    });
    await store.close();
    expect(result.failed).toEqual([]);
    const [app, prod] = [storeContent('app'), storeContent('prod')];
    expect(plan.summary.copy).toEqual({
      manifests: 2,
      blobs: app.files + prod.files - 2,
      bytes: app.bytes + prod.bytes,
    });
  });

  it('shows the totals in the text, JSON and markdown plans', async () => {
    const plan = await planned(catalog());
    const total = copyAmount(plan.summary.copy!);
    expect(total).toMatch(/^2 manifests, /);
    expect(renderPlanText(plan, { color: false, abbrev: true })).toContain(`Local store: ${total}.`);
    expect(renderPlanMarkdown(plan)).toContain(`local store: ${total}`);
    expect(JSON.parse(renderPlanJson(plan)).summary.copy).toEqual(plan.summary.copy);
  });
});
