// `npm run bench -- [--tags N] [--json]`: imagestreams and skopeo side by side on a local registry.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCountingProxy } from './lib/counting-proxy.mjs';
import { benchDataset, describeDataset } from './lib/dataset.mjs';
import { startDelayProxy } from './lib/delay-proxy.mjs';
import { describeMachine } from './lib/machine.mjs';
import { measureMirrorLayers } from './lib/mirror-layers.mjs';
import { benchOptions, USAGE } from './lib/options.mjs';
import { populateRegistry } from './lib/populate.mjs';
import { startBenchRegistries, writeCredentials } from './lib/registry-mode.mjs';
import { jsonReport, textReport } from './lib/report.mjs';
import { benchAtRtt } from './lib/rtt-run.mjs';
import { skopeoEnvironment } from './lib/skopeo-scenarios.mjs';
import { evaluateTargets } from './lib/targets.mjs';

const PROXY_VARIABLES = /^(https?_proxy|no_proxy|all_proxy)$/i;

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
  const setup = { registryMode: options.registryMode, ...describeDataset(dataset) };
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
      registrySettings: registries.registrySettings,
      cliArgs: registries.cliArgs,
      skopeoEnv: skopeoEnvironment(env, scratchDir, skopeoAccess.authFile),
      skopeoAccess,
    };
    const runs = [];
    for (const rtt of options.rtts) runs.push(await benchAtRtt(base, rtt, join(dir, `rtt-${rtt}`), log));
    registries.source.setRtt(0);
    registries.local.setRtt(0);
    const layerRows = await measureMirrorLayers(
      { ...base, source: registry, local, layersDir: join(dir, 'layers') },
      log,
    );
    return {
      tags: options.tags,
      runs,
      layerRows,
      setup,
      targets: evaluateTargets(runs, options.tags, layerRows, setup),
    };
  } finally {
    for (const proxy of proxies.reverse()) await proxy.stop();
    await registries.stop();
  }
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
  const cleanup = () => (options.keep ? log(`kept ${dir}`) : rmSync(dir, { recursive: true, force: true }));
  try {
    const loadAtStart = loadavg()[0];
    const result = await bench(options, dir);
    const report = { ...result, machine: describeMachine(loadAtStart), options };
    process.stdout.write(options.json ? `${JSON.stringify(jsonReport(report), null, 2)}\n` : textReport(report));
    return 0;
  } catch (error) {
    process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
    return 1;
  } finally {
    cleanup();
  }
}

process.exitCode = await main();
