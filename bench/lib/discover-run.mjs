import { join } from 'node:path';
import { startCountingProxy } from './counting-proxy.mjs';
import { discoverBound, discoverDataset, populateDiscover, writeDiscoverCatalog } from './discover.mjs';
import { runChecked } from './imagestreams-scenarios.mjs';
import { startPlainRegistry } from './registry.mjs';
import { loadRegistryHelpers } from './test-helpers.mjs';

/**
 * The `discover` scenario: its own plain-HTTP registry (Debian's docker-registry, which ignores `n`) behind the test
 * harness's paging front (pages of at most 1,000 tags, as distribution 3 and most registries send them) and the
 * counting proxy. For each size (`streams` × `tags`, then `streams` × `smallTags`): the first plan (it creates every
 * kept tag), an apply, then the no-op plan, counted, timed and its peak RSS measured, one run each.
 */
export async function measureDiscover(ctx, dir, log) {
  const helpers = await loadRegistryHelpers(join(dir, 'helpers'));
  const registry = await startPlainRegistry(helpers, join(dir, 'registry'));
  const stops = [() => registry.stop()];
  try {
    const front = await helpers.startPagingFront(`http://${registry.host}`, { maxPage: 1000 });
    stops.unshift(() => front.stop());
    const proxy = await startCountingProxy({ port: Number(new URL(front.url).port), scheme: 'http' });
    stops.unshift(() => proxy.stop());
    const sizes = [ctx.discoverTags, ctx.discoverSmallTags].filter((t, i, all) => t > 0 && all.indexOf(t) === i);
    const results = [];
    for (const tags of sizes) {
      const dataset = discoverDataset(ctx.discoverStreams, tags, `discover-${tags}`);
      const started = performance.now();
      await populateDiscover(registry, join(dir, 'registry', 'storage'), dataset);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      log(`discover: wrote ${dataset.streams} × ${tags} tags in ${seconds} s; plan, apply, no-op plan`);
      results.push(await runSize({ ...ctx, cliArgs: [] }, dataset, proxy, join(dir, `catalog-${tags}`)));
    }
    return {
      paging: 'docker-registry 2.8 (it ignores n) behind a paging front: pages of up to 1,000 tags',
      streams: ctx.discoverStreams,
      sizes: results,
    };
  } finally {
    for (const stop of stops) await stop();
  }
}

async function runSize(ctx, dataset, proxy, dir) {
  const catalog = writeDiscoverCatalog(dataset, proxy.host, dir);
  const expected = dataset.streams * dataset.kept.length;
  proxy.reset();
  const first = await runChecked(ctx, catalog, ['plan', '--json']);
  const firstCounts = proxy.counts();
  const firstPlan = JSON.parse(first.stdout);
  checkSummary(firstPlan.summary, 'create', expected, 'the first plan');
  checkKept(firstPlan.changes, dataset);
  await runChecked(ctx, catalog, ['apply', '--auto-approve']);
  proxy.reset();
  const noop = await runChecked(ctx, catalog, ['plan', '--json']);
  const noopCounts = proxy.counts();
  checkSummary(JSON.parse(noop.stdout).summary, 'noop', expected, 'the no-op plan');
  return {
    tags: dataset.tags,
    bound: discoverBound(dataset),
    firstPlan: measured(first, firstCounts),
    noopPlan: measured(noop, noopCounts),
  };
}

function measured(run, counts) {
  return {
    wallSeconds: run.wallSeconds,
    peakRssKb: run.peakRssKb,
    requests: counts.requests,
    pages: counts.byKind['GET tags'] ?? 0,
    heads: counts.byKind['HEAD manifest'] ?? 0,
    byKind: counts.byKind,
  };
}

function checkSummary(summary, field, expected, what) {
  if (summary[field] !== expected || summary.error !== 0) {
    throw new Error(`discover: expected ${what} to say ${expected} ${field}, it says ${JSON.stringify(summary)}`);
  }
}

/** Every stream's created tags are exactly the greatest `keep` versions of its repository. */
function checkKept(changes, dataset) {
  const want = [...dataset.kept].sort().join(' ');
  for (const repo of dataset.repositories) {
    const got = changes
      .filter((c) => c.stream === repo.stream && c.action === 'create')
      .map((c) => c.tag)
      .sort()
      .join(' ');
    if (got !== want) throw new Error(`discover: the first plan creates ${repo.stream}: ${got}, expected ${want}`);
  }
}
