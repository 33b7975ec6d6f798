import { benchDataset } from './dataset.mjs';
import { catalogFor, runChecked } from './imagestreams-scenarios.mjs';
import { populateRegistry } from './populate.mjs';

/**
 * `--rss-tags N`: peak RSS of a no-op plan (and of the import before it) of N tags on loopback, one run each. The
 * N-tag dataset holds the bench's: the same repositories, images and tag names, more of them; it is pushed into
 * the source registry after the other scenarios ran.
 */
export async function measureRssAtScale(ctx, dir, log) {
  const dataset = benchDataset(ctx.rssTags, ctx.tagsPerRepository);
  log(`peak RSS at ${ctx.rssTags} tags: pushing ${dataset.repositories.length} repositories`);
  await populateRegistry(ctx.registry, dataset);
  const catalog = catalogFor(dataset, ctx.registry.host, dir, ctx.registrySettings);
  log(`peak RSS at ${ctx.rssTags} tags: import, then a no-op plan, one run each`);
  const imported = await runChecked(ctx, catalog, ['apply', '--auto-approve']);
  const plan = await runChecked(ctx, catalog, ['plan', '--detailed-exitcode']);
  return {
    tags: ctx.rssTags,
    noopPlan: { wallSeconds: plan.wallSeconds, peakRssKb: plan.peakRssKb },
    import: { wallSeconds: imported.wallSeconds, peakRssKb: imported.peakRssKb },
  };
}
