// `npm run bench -- [--tags N] [--json]`: imagestreams and skopeo side by side on a local registry.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCountingProxy } from './lib/counting-proxy.mjs';
import { benchDataset, describeDataset, idealImportRequests } from './lib/dataset.mjs';
import { catalogFor, measureImagestreams } from './lib/imagestreams-scenarios.mjs';
import { describeMachine } from './lib/machine.mjs';
import { measureMirrorLayers } from './lib/mirror-layers.mjs';
import { benchOptions, USAGE } from './lib/options.mjs';
import { populateRegistry } from './lib/populate.mjs';
import { measureRegistryFloor } from './lib/registry-floor.mjs';
import { startBenchRegistries, writeCredentials } from './lib/registry-mode.mjs';
import { jsonReport, textReport } from './lib/report.mjs';
import { measureSkopeo, skopeoEnvironment } from './lib/skopeo-scenarios.mjs';
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
    await timed(`pushed ${options.tags} tags in ${setup.repositories} repositories`, () =>
      populateRegistry(registry, dataset),
    );
    const scratchDir = join(dir, 'scratch');
    mkdirSync(scratchDir);
    const env = cleanEnvironment(scratchDir);
    const skopeoAccess = writeCredentials(registries, scratchDir, [
      registry.host,
      proxy.host,
      local.host,
      localProxy.host,
    ]);
    const { registrySettings } = registries;
    const ctx = {
      ...options,
      dataset,
      proxy,
      proxies: [
        { name: 'source', proxy },
        { name: 'local', proxy: localProxy },
      ],
      scratchDir,
      env,
      registrySettings,
      cliArgs: registries.cliArgs,
      direct: {
        host: registry.host,
        catalog: catalogFor(dataset, registry.host, join(dir, 'direct'), registrySettings),
      },
      counted: { host: proxy.host, catalog: catalogFor(dataset, proxy.host, join(dir, 'counted'), registrySettings) },
      mirror: {
        dir: join(dir, 'mirror'),
        direct: { source: registry.host, local: local.host },
        counted: { source: proxy.host, local: localProxy.host },
      },
    };
    const rows = await measureImagestreams(ctx, log);
    log(`registry floor: ${options.tags} conditional HEADs from a bare client, ${options.repeat} run(s)`);
    const registryFloor = await measureRegistryFloor(registry, dataset, options.repeat);
    const layerRows = await measureMirrorLayers(
      { ...ctx, source: registry, local, layersDir: join(dir, 'layers') },
      log,
    );
    if (options.skopeo) {
      const skopeoEnv = skopeoEnvironment(env, scratchDir, skopeoAccess.authFile);
      rows.push(...(await measureSkopeo({ ...ctx, skopeoEnv, skopeoAccess }, log)));
    }
    const importBound = dataset.tags.reduce((sum, tag) => sum + idealImportRequests(tag), 0) / options.tags;
    return {
      tags: options.tags,
      rows,
      layerRows,
      setup,
      registryFloor,
      targets: evaluateTargets(rows, options.tags, importBound, layerRows, registryFloor, setup),
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
