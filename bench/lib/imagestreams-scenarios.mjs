import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { benchCatalog } from './dataset.mjs';
import { runCli } from './measure.mjs';

const STATE_FILES = ['', '.journal', '.backup', '.lock'].map((suffix) => `imagestreams.state.json${suffix}`);

/**
 * A directory holding the bench catalog for `host` (mirroring every tag to `mirrorTo`, if given) and its state;
 * `registrySettings` are those of every registry it names.
 */
export function catalogFor(dataset, host, dir, registrySettings, mirrorTo) {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'imagestreams.yaml');
  writeFileSync(path, stringify(benchCatalog(dataset, host, registrySettings, mirrorTo)));
  return { dir, path };
}

function removeState(catalog) {
  for (const name of STATE_FILES) rmSync(join(catalog.dir, name), { force: true });
}

async function runChecked(ctx, catalog, args) {
  const run = await runCli(ctx.cliPath, [...ctx.cliArgs, ...args, '-f', catalog.path], {
    env: ctx.env,
    cwd: catalog.dir,
    scratchDir: ctx.scratchDir,
  });
  if (run.code !== 0) {
    const output = run.stderr || run.stdout.toString('utf8');
    throw new Error(`imagestreams ${args.join(' ')} exited with ${run.code ?? run.signal}:\n${output.slice(-4000)}`);
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
    checkAllImported(
      ctx,
      'import',
      JSON.parse((await runChecked(ctx, catalog, ['apply', '--auto-approve', '--json'])).stdout),
    );
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

let mirrorRuns = 0;

/**
 * A catalog mirroring every tag into a namespace of the local registry no run has used yet, from an empty state:
 * a second run into the same namespace would find everything copied already.
 */
function freshMirrorCatalog(ctx, hosts, dir) {
  const namespace = `mirror-${++mirrorRuns}`;
  const catalog = catalogFor(ctx.dataset, hosts.source, dir, ctx.registrySettings, `${hosts.local}/${namespace}`);
  removeState(catalog);
  return catalog;
}

function checkAllImported(ctx, scenario, result) {
  if (result.imported.length !== ctx.tags || result.failed.length > 0) {
    throw new Error(
      `${scenario}: expected ${ctx.tags} imports, got ${result.imported.length} (${result.failed.length} failed: ` +
        `${JSON.stringify(result.failed.slice(0, 3))})`,
    );
  }
}

/**
 * An `apply --auto-approve --json` that may fail some tags (exit 1 with a JSON result): the run, with the tags that
 * failed, so that a copy failure is reported with the figures instead of discarding them.
 */
async function applyReportingFailures(ctx, catalog) {
  const args = ['apply', '--auto-approve', '--json'];
  const run = await runCli(ctx.cliPath, [...ctx.cliArgs, ...args, '-f', catalog.path], {
    env: ctx.env,
    cwd: catalog.dir,
    scratchDir: ctx.scratchDir,
  });
  let result;
  try {
    result = JSON.parse(run.stdout.toString('utf8'));
  } catch {
    result = undefined;
  }
  if ((run.code !== 0 && run.code !== 1) || !result) {
    throw new Error(
      `imagestreams ${args.join(' ')} exited with ${run.code ?? run.signal}:\n${run.stderr.slice(-4000)}`,
    );
  }
  if (result.imported.length + result.failed.length !== ctx.tags) {
    throw new Error(`mirror: ${result.imported.length} imported + ${result.failed.length} failed of ${ctx.tags} tags`);
  }
  return { ...run, failed: result.failed };
}

/**
 * The first `apply --auto-approve` of a catalog whose every tag is `referencePolicy: Local`: plans, imports every
 * tag and copies each image (manifests and blobs) from the source registry into a second, empty registry. Tags
 * that fail are counted and reported with the row.
 */
const mirrorScenario = {
  name: 'mirror',
  timed: (ctx) => applyReportingFailures(ctx, freshMirrorCatalog(ctx, ctx.mirror.direct, ctx.mirror.dir)),
  counted: (ctx) => applyReportingFailures(ctx, freshMirrorCatalog(ctx, ctx.mirror.counted, ctx.mirror.dir)),
};

/** Failed tags of each run (timed runs, then the counted one) and the first failure, when any tag failed. */
function failuresOf(runs) {
  const failed = runs.map((run) => run?.failed ?? []);
  const first = failed.flat()[0];
  return first ? { failures: { failedTagsPerRun: failed.map((f) => f.length), first } } : {};
}

/**
 * The median of the timed runs' wall times (all of them kept), the connections of that run (see rtt-run.mjs) and
 * the highest peak RSS.
 */
function summarizeTimed(runs) {
  const median = [...runs].sort((a, b) => a.wallSeconds - b.wallSeconds)[Math.floor((runs.length - 1) / 2)];
  return {
    wallSeconds: median.wallSeconds,
    wallSecondsRuns: runs.map((r) => r.wallSeconds),
    timedConnections: median.connections,
    peakRssKb: Math.max(...runs.map((r) => r.peakRssKb)),
  };
}

/** A timed run with the connections it opened. */
export async function withConnections(ctx, run) {
  ctx.connectionsOfTimedRuns.reset();
  const result = await run();
  return { ...result, connections: ctx.connectionsOfTimedRuns.read() };
}

/**
 * The counts of the proxies that saw traffic, as one. When more than one did, each request kind is prefixed with
 * the proxy's name (`local HEAD blob`).
 */
function sumCounts(proxies) {
  const seen = proxies
    .map(({ name, proxy }) => ({ name, counts: proxy.counts() }))
    .filter((p) => p.counts.requests > 0);
  const total = { requests: 0, tokenRequests: 0, connections: 0, nonHttpConnections: 0, byKind: {} };
  for (const { name, counts } of seen) {
    total.requests += counts.requests;
    total.tokenRequests += counts.tokenRequests ?? 0;
    total.connections += counts.connections;
    total.nonHttpConnections += counts.nonHttpConnections;
    const prefix = seen.length > 1 ? `${name} ` : '';
    for (const [kind, n] of Object.entries(counts.byKind)) total.byKind[`${prefix}${kind}`] = n;
  }
  return total;
}

/**
 * One scenario: `repeat` timed runs straight against the registry, then one run through the counting proxy for
 * the requests (timing and counting apart, so the proxy costs the timed runs nothing).
 */
async function measureScenario(ctx, scenario) {
  const timed = [];
  for (let i = 0; i < ctx.repeat; i++)
    timed.push(await withConnections(ctx, () => scenario.timed(ctx, ctx.direct.catalog)));
  for (const { proxy } of ctx.proxies) proxy.reset();
  const counted = await scenario.counted(ctx, ctx.counted.catalog);
  const counts = sumCounts(ctx.proxies);
  return {
    tool: 'imagestreams',
    scenario: scenario.name,
    ...summarizeTimed(timed),
    requests: counts.requests,
    requestsPerTag: counts.requests / ctx.tags,
    counts,
    ...failuresOf([...timed, counted]),
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
  log(`imagestreams mirror: apply --auto-approve of ${ctx.tags} Local tags, ${ctx.repeat} timed run(s) + 1 counted`);
  const mirrored = await measureScenario(ctx, mirrorScenario);
  return [noop, imported, mirrored];
}
