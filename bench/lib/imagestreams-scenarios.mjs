import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { benchCatalog } from './dataset.mjs';
import { runCli } from './measure.mjs';

const STATE_FILES = ['', '.journal', '.backup', '.lock'].map((suffix) => `imagestreams.state.json${suffix}`);

/** A directory holding the bench catalog for `host` and its state. */
export function catalogFor(dataset, host, dir) {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'imagestreams.yaml');
  writeFileSync(path, stringify(benchCatalog(dataset, host)));
  return { dir, path };
}

function removeState(catalog) {
  for (const name of STATE_FILES) rmSync(join(catalog.dir, name), { force: true });
}

async function runChecked(ctx, catalog, args) {
  const run = await runCli(ctx.cliPath, [...args, '-f', catalog.path], {
    env: ctx.env,
    cwd: catalog.dir,
    scratchDir: ctx.scratchDir,
  });
  if (run.code !== 0) {
    throw new Error(
      `imagestreams ${args.join(' ')} exited with ${run.code ?? run.signal}:\n${run.stderr.slice(-4000)}`,
    );
  }
  return run;
}

/**
 * The first `apply --auto-approve` of the whole catalog (from an empty state): plans, resolving every tag, then
 * imports every tag. Timed runs print text, as in CI (exit 0: every import succeeded); the counted run prints JSON,
 * which must list every tag as imported.
 */
const importScenario = {
  name: 'import',
  timed: (ctx, catalog) => {
    removeState(catalog);
    return runChecked(ctx, catalog, ['apply', '--auto-approve']);
  },
  counted: async (ctx, catalog) => {
    removeState(catalog);
    const result = JSON.parse((await runChecked(ctx, catalog, ['apply', '--auto-approve', '--json'])).stdout);
    if (result.imported.length !== ctx.tags || result.failed.length > 0) {
      throw new Error(
        `import: expected ${ctx.tags} imports, got ${result.imported.length} (${result.failed.length} failed: ` +
          `${JSON.stringify(result.failed.slice(0, 3))})`,
      );
    }
  },
};

/**
 * `plan` against the state the import wrote, nothing changed upstream. Timed runs print the text plan with
 * --detailed-exitcode (exit 0: no changes, no errors); the counted run's JSON summary must say every tag is a no-op.
 */
const noopPlanScenario = {
  name: 'noop-plan',
  timed: (ctx, catalog) => runChecked(ctx, catalog, ['plan', '--detailed-exitcode']),
  counted: async (ctx, catalog) => {
    const { summary } = JSON.parse((await runChecked(ctx, catalog, ['plan', '--json'])).stdout);
    const changed = summary.create + summary.update + summary.delete + summary.drift + summary.error;
    if (summary.noop !== ctx.tags || changed !== 0) {
      throw new Error(`noop-plan: expected ${ctx.tags} unchanged tags, the plan says ${JSON.stringify(summary)}`);
    }
  },
};

/** The median of the timed runs' wall times (all of them kept) and their highest peak RSS. */
function summarizeTimed(runs) {
  const walls = runs.map((r) => r.wallSeconds);
  const sorted = [...walls].sort((a, b) => a - b);
  return {
    wallSeconds: sorted[Math.floor((sorted.length - 1) / 2)],
    wallSecondsRuns: walls,
    peakRssKb: Math.max(...runs.map((r) => r.peakRssKb)),
  };
}

/**
 * One scenario: `repeat` timed runs straight against the registry, then one run through the counting proxy for
 * the requests (timing and counting apart, so the proxy costs the timed runs nothing).
 */
async function measureScenario(ctx, scenario) {
  const timed = [];
  for (let i = 0; i < ctx.repeat; i++) timed.push(await scenario.timed(ctx, ctx.direct.catalog));
  ctx.proxy.reset();
  await scenario.counted(ctx, ctx.counted.catalog);
  const counts = ctx.proxy.counts();
  return {
    tool: 'imagestreams',
    scenario: scenario.name,
    ...summarizeTimed(timed),
    requests: counts.requests,
    requestsPerTag: counts.requests / ctx.tags,
    counts,
  };
}

/**
 * The imagestreams rows: `import` (the first apply of the whole catalog, each run from an empty state), then
 * `noop-plan` (a plan against the state the import wrote).
 */
export async function measureImagestreams(ctx, log) {
  log(`imagestreams import: apply --auto-approve of ${ctx.tags} tags, ${ctx.repeat} timed run(s) + 1 counted`);
  const imported = await measureScenario(ctx, importScenario);
  log(`imagestreams noop-plan: plan of ${ctx.tags} unchanged tags, ${ctx.repeat} timed run(s) + 1 counted`);
  const noop = await measureScenario(ctx, noopPlanScenario);
  return [noop, imported];
}
