// `npm run bench -- [--tags N] [--json]`: imagestreams and skopeo side by side on a local registry.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCountingProxy } from './lib/counting-proxy.mjs';
import { benchDataset, describeDataset } from './lib/dataset.mjs';
import { startDelayProxy } from './lib/delay-proxy.mjs';
import { discoverLines, jsonDiscover } from './lib/discover-report.mjs';
import { measureDiscover } from './lib/discover-run.mjs';
import { describeMachine } from './lib/machine.mjs';
import { measureMirrorLayers } from './lib/mirror-layers.mjs';
import { benchOptions, USAGE } from './lib/options.mjs';
import { populateRegistry } from './lib/populate.mjs';
import { startBenchRegistries, writeCredentials } from './lib/registry-mode.mjs';
import { closingLines, jsonReport, textReport } from './lib/report.mjs';
import { measureRssAtScale } from './lib/rss-at-scale.mjs';
import { benchAtRtt } from './lib/rtt-run.mjs';
import { skopeoEnvironment } from './lib/skopeo-scenarios.mjs';
import { measureStartup } from './lib/startup.mjs';
import { discoverTargets, evaluateTargets } from './lib/targets.mjs';

const PROXY_VARIABLES = /^(https?_proxy|no_proxy|all_proxy)$/i;

/**
 * Removes the bench's directory with `rm -rf` where there is one: the discover scenario's registry holds millions of
 * entries (7 per tag), which rm removes some 5 times faster than rmSync.
 */
function removeTree(dir) {
  const rm = spawnSync('rm', ['-rf', '--', dir], { stdio: 'ignore' });
  if (rm.status !== 0) rmSync(dir, { recursive: true, force: true });
}

function log(message) {
  process.stderr.write(`bench: ${message}\n`);
}

/** The environment of every measured process: no proxies, no user credentials, no colour. */
function cleanEnvironment(dir) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !PROXY_VARIABLES.test(key)));
  delete env.REGISTRY_AUTH_FILE;
  delete env.XDG_RUNTIME_DIR;
  return { ...env, DOCKER_CONFIG: dir, NO_COLOR: '1' };
}

async function timed(what, task) {
  const started = performance.now();
  const result = await task();
  log(`${what} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

async function bench(options, dir) {
  const dataset = benchDataset(options.tags, options.tagsPerRepository);
  const setup = {
    registryMode: options.registryMode,
    maxConcurrency: options.maxConcurrency ?? null,
    http2: process.env.IMAGESTREAMS_HTTP2 === '1',
    ...describeDataset(dataset),
  };
  const registries = await timed(`started the registries (--registry-mode ${options.registryMode})`, () =>
    startBenchRegistries(options.registryMode, dir),
  );
  const { source: registry, local } = registries;
  const proxies = [];
  try {
    const proxy = await startCountingProxy(registry);
    proxies.push(proxy);
    const localProxy = await startCountingProxy(local);
    proxies.push(localProxy);
    // skopeo copies run once, counted; at rtt > 0 they reach the counting proxy through this one.
    const countedDelayed = await startDelayProxy({ upstreamPort: proxy.port });
    proxies.push(countedDelayed);
    await timed(`pushed ${options.tags} tags in ${setup.repositories} repositories`, () =>
      populateRegistry(registry, dataset),
    );
    const scratchDir = join(dir, 'scratch');
    mkdirSync(scratchDir);
    const env = cleanEnvironment(scratchDir);
    const skopeoAccess = writeCredentials(
      registries,
      scratchDir,
      [registry, proxy, local, localProxy, registry.delayed, local.delayed, countedDelayed].map((r) => r.host),
    );
    const base = {
      ...options,
      dataset,
      registries,
      proxy,
      countedDelayed,
      proxies: [
        { name: 'source', proxy },
        { name: 'local', proxy: localProxy },
      ],
      scratchDir,
      env,
      registrySettings: {
        ...registries.registrySettings,
        ...(options.maxConcurrency !== undefined && { maxConcurrency: options.maxConcurrency }),
      },
      cliArgs: registries.cliArgs,
      skopeoEnv: skopeoEnvironment(env, scratchDir, skopeoAccess.authFile),
      skopeoAccess,
    };
    const startup = await measureStartup({ ...base, registry }, join(dir, 'startup'), log);
    const runs = [];
    for (const rtt of options.rtts) runs.push(await benchAtRtt(base, rtt, join(dir, `rtt-${rtt}`), log));
    registries.source.setRtt(0);
    registries.local.setRtt(0);
    const layerRows = await measureMirrorLayers(
      { ...base, source: registry, local, layersDir: join(dir, 'layers') },
      log,
    );
    const rssAtScale =
      options.rssTags > 0 ? await measureRssAtScale({ ...base, registry }, join(dir, 'rss-at-scale'), log) : undefined;
    const discover = options.discover ? await runDiscover(base, join(dir, 'discover')) : undefined;
    return {
      tags: options.tags,
      runs,
      startup,
      rssAtScale,
      layerRows,
      discover,
      setup,
      targets: [
        ...evaluateTargets({ runs, startup, rssAtScale, tags: options.tags, layerRows, setup }),
        ...discoverTargets(discover),
      ],
    };
  } finally {
    for (const proxy of proxies.reverse()) await proxy.stop();
    await registries.stop();
  }
}

function runDiscover(ctx, dir) {
  return timed('the discover scenario', () => measureDiscover(ctx, dir, log));
}

/** `--discover-only`: the discover scenario alone, in a clean environment of its own. */
async function discoverOnly(options, dir) {
  const scratchDir = join(dir, 'scratch');
  mkdirSync(scratchDir);
  const discover = await runDiscover({ ...options, scratchDir, env: cleanEnvironment(scratchDir) }, dir);
  return { discover, targets: discoverTargets(discover) };
}

function discoverOnlyText({ discover, targets, machine, benchSeconds }) {
  return [
    '',
    `machine: ${machine.cpus} CPUs (${machine.cpuModel}), load average ${machine.loadAverage.start} at start, ${machine.loadAverage.end} at the end`,
    '',
    ...discoverLines(discover),
    ...closingLines(targets, 'the discover scenario', benchSeconds),
  ].join('\n');
}

async function main() {
  let options;
  try {
    options = benchOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!existsSync(options.cliPath)) {
    process.stderr.write(`${options.cliPath} is missing: run npm run build first\n`);
    return 1;
  }
  const dir = mkdtempSync(join(tmpdir(), 'imagestreams-bench-'));
  const cleanup = () => (options.keep ? log(`kept ${dir}`) : removeTree(dir));
  try {
    const loadAtStart = loadavg()[0];
    const started = performance.now();
    const result = options.discoverOnly ? await discoverOnly(options, dir) : await bench(options, dir);
    const benchSeconds = Math.round((performance.now() - started) / 1000);
    log(`done in ${benchSeconds} s`);
    const report = { ...result, benchSeconds, machine: describeMachine(loadAtStart), options };
    process.stdout.write(
      options.discoverOnly
        ? options.json
          ? `${JSON.stringify({ ...report, discover: jsonDiscover(report.discover), options: undefined }, null, 2)}\n`
          : discoverOnlyText(report)
        : options.json
          ? `${JSON.stringify(jsonReport(report), null, 2)}\n`
          : textReport(report),
    );
    return 0;
  } catch (error) {
    process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
    return 1;
  } finally {
    cleanup();
  }
}

process.exitCode = await main();
