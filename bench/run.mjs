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
import { startRegistry } from './lib/registry.mjs';
import { measureRegistryFloor } from './lib/registry-floor.mjs';
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
  const setup = describeDataset(dataset);
  const registry = await startRegistry(join(dir, 'registry'));
  const proxy = await startCountingProxy(registry.port);
  const local = await startRegistry(join(dir, 'local-registry'));
  const localProxy = await startCountingProxy(local.port);
  try {
    await timed(`pushed ${options.tags} tags in ${setup.repositories} repositories`, () =>
      populateRegistry(registry.port, dataset),
    );
    const scratchDir = join(dir, 'scratch');
    mkdirSync(scratchDir);
    const env = cleanEnvironment(scratchDir);
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
      direct: { host: registry.host, catalog: catalogFor(dataset, registry.host, join(dir, 'direct')) },
      counted: { host: proxy.host, catalog: catalogFor(dataset, proxy.host, join(dir, 'counted')) },
      mirror: {
        dir: join(dir, 'mirror'),
        direct: { source: registry.host, local: local.host },
        counted: { source: proxy.host, local: localProxy.host },
      },
    };
    const rows = await measureImagestreams(ctx, log);
    log(`registry floor: ${options.tags} conditional HEADs from a bare client, ${options.repeat} run(s)`);
    const registryFloor = await measureRegistryFloor(registry.port, dataset, options.repeat);
    const layerRows = await measureMirrorLayers(
      { ...ctx, source: registry, local, layersDir: join(dir, 'layers') },
      log,
    );
    if (options.skopeo)
      rows.push(...(await measureSkopeo({ ...ctx, skopeoEnv: skopeoEnvironment(env, scratchDir) }, log)));
    const importBound = dataset.tags.reduce((sum, tag) => sum + idealImportRequests(tag), 0) / options.tags;
    return {
      tags: options.tags,
      rows,
      layerRows,
      setup,
      registryFloor,
      targets: evaluateTargets(rows, options.tags, importBound, layerRows, registryFloor),
    };
  } finally {
    await localProxy.stop();
    await local.stop();
    await proxy.stop();
    await registry.stop();
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
