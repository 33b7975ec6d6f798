import { join } from 'node:path';
import { catalogFor, runChecked } from './imagestreams-scenarios.mjs';
import { median, runCli, runMeasured } from './measure.mjs';
import { measureColdBareClient } from './registry-floor.mjs';

const STARTUP_TAGS = 50;
const MIN_RUNS = 5;

/** The first `count` tags of the dataset, in their repositories, as a dataset of their own. */
export function firstTags(dataset, count) {
  const tags = dataset.tags.slice(0, count);
  const kept = new Set(tags.map((tag) => tag.index));
  const repositories = dataset.repositories
    .map((repo) => ({ ...repo, tags: repo.tags.filter((tag) => kept.has(tag.index)) }))
    .filter((repo) => repo.tags.length > 0);
  return { repositories, tags };
}

function row(name, what, seconds) {
  return { name, what, seconds: median(seconds), secondsRuns: seconds };
}

async function repeatRuns(runs, task) {
  const seconds = [];
  for (let i = 0; i < runs; i++) seconds.push(await task());
  return seconds;
}

/**
 * Start-up on loopback, each the median of max(--repeat, 5) runs: `node -e 0`; `imagestreams --version`; from
 * spawning a no-op `plan` of a 50-tag catalog to its first request reaching the registry (through the counting
 * proxy); the bare client sending that plan's requests (see registry-floor.mjs) and that whole plan, both straight
 * against the registry. Both catalogs are imported first.
 */
export async function measureStartup(ctx, dir, log) {
  const runs = Math.max(ctx.repeat, MIN_RUNS);
  const dataset = firstTags(ctx.dataset, STARTUP_TAGS);
  const tags = dataset.tags.length;
  log(`start-up: node -e 0, --version, first request and a ${tags}-tag no-op plan, ${runs} run(s) each`);
  const direct = catalogFor(dataset, ctx.registry.host, join(dir, 'direct'), ctx.registrySettings);
  const counted = catalogFor(dataset, ctx.proxy.host, join(dir, 'counted'), ctx.registrySettings);
  for (const catalog of [direct, counted]) await runChecked(ctx, catalog, ['apply', '--auto-approve']);
  const node = await repeatRuns(runs, async () => (await runMeasured(process.execPath, ['-e', '0'])).wallSeconds);
  const version = await repeatRuns(runs, async () => {
    const run = await runCli(ctx.cliPath, ['--version'], { env: ctx.env, cwd: dir, scratchDir: ctx.scratchDir });
    if (run.code !== 0) throw new Error(`imagestreams --version exited with ${run.code}: ${run.stderr}`);
    return run.wallSeconds;
  });
  const firstRequest = await repeatRuns(runs, async () => {
    ctx.proxy.reset();
    const run = await runChecked(ctx, counted, ['plan', '--detailed-exitcode']);
    return (ctx.proxy.counts().firstRequestAt - run.startedAt) / 1000;
  });
  const plan = await repeatRuns(
    runs,
    async () => (await runChecked(ctx, direct, ['plan', '--detailed-exitcode'])).wallSeconds,
  );
  const bare = await measureColdBareClient(ctx.registry, dataset, runs);
  return {
    tags,
    rows: [
      row('node', 'node -e 0', node),
      row('version', 'imagestreams --version', version),
      row(
        'first-request',
        `from spawn to the first request of a ${tags}-tag no-op plan reaching the registry`,
        firstRequest,
      ),
      row('bare-client', `a bare client sending that plan's requests, from spawn to exit`, bare.wallSecondsRuns),
      row('noop-plan', `the whole no-op plan of ${tags} tags`, plan),
    ],
  };
}
