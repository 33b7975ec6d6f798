// `node bench/startup-profile.mjs [options]`: where a no-op plan's time goes before and after its first request.
// Interleaved rounds of: `node -e 0`, `imagestreams --version`, spawn → first request at a loopback proxy, a small
// and a large no-op plan (plain HTTP and TLS + token auth) and the bare client's floor, with the load average of
// each round; medians at the end. `--cli A,B` compares entry points (e.g. a copy of the previous build) in the same
// rounds. `--cpu-prof DIR` writes one CPU profile of each plan after the rounds; `--serve FILE` only sets up the
// registries and catalogs (imported) and describes them in FILE, for runs by hand, until interrupted. `--rtt MS`
// reaches the registry and its token server through the bench's delay proxies (the first-request proxy excepted).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchDataset } from './lib/dataset.mjs';
import { catalogFor } from './lib/imagestreams-scenarios.mjs';
import { populateRegistry } from './lib/populate.mjs';
import { BARE_CLIENT, bareJob, measureRegistryFloor } from './lib/registry-floor.mjs';
import { startBenchRegistries, writeCredentials } from './lib/registry-mode.mjs';

const { values } = parseArgs({
  options: {
    tags: { type: 'string', default: '1000' },
    small: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '5' },
    modes: { type: 'string', default: 'plain,token' },
    cli: { type: 'string', default: 'dist/bin/imagestreams.js' },
    'cpu-prof': { type: 'string' },
    only: { type: 'string' },
    serve: { type: 'string' },
    rtt: { type: 'string', default: '0' },
  },
});
const TAGS = Number(values.tags);
const SMALL = Number(values.small);
const ROUNDS = Number(values.rounds);
const MODES = values.modes.split(',');
const CLIS = values.cli.split(',').map((p) => resolve(p));
const ONLY = values.only ? new RegExp(values.only) : undefined;
const RTT = Number(values.rtt);

const log = (m) => process.stderr.write(`startup-profile: ${m}\n`);

/** The first `count` tags of `dataset`, whole repositories first, as a dataset of its own. */
function subset(dataset, count) {
  const repositories = [];
  let left = count;
  for (const repo of dataset.repositories) {
    if (left <= 0) break;
    const tags = repo.tags.slice(0, left);
    repositories.push({ ...repo, tags });
    left -= tags.length;
  }
  return { repositories, tags: repositories.flatMap((repo) => repo.tags.map((tag) => ({ ...tag, repo }))) };
}

/** A TCP proxy to 127.0.0.1:`port` that remembers when the first bytes of any client arrived. */
async function firstBytesProxy(port) {
  let first;
  const server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    client.once('data', () => {
      first ??= performance.now();
    });
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    host: `127.0.0.1:${server.address().port}`,
    reset: () => {
      first = undefined;
    },
    first: () => first,
    stop: () => new Promise((ok) => server.close(ok)),
  };
}

function run(args, { env, cwd, proxy } = {}) {
  return new Promise((ok, fail) => {
    proxy?.reset();
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    child.once('error', fail);
    child.once('close', (code) => {
      const wall = (performance.now() - started) / 1000;
      const first = proxy?.first();
      if (code !== 0) {
        fail(new Error(`${args.join(' ')} exited ${code}: ${Buffer.concat(err).toString().slice(-2000)}`));
        return;
      }
      ok({ wall, firstRequest: first === undefined ? undefined : (first - started) / 1000, stdout: out.join('') });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.floor((s.length - 1) / 2)];
};

async function setUp(mode, dir, dataset) {
  const registries = await startBenchRegistries(mode, join(dir, mode));
  await populateRegistry(registries.source, dataset);
  registries.source.setRtt(RTT);
  // Above 0 ms the plans and the floor reach the registry through its delay proxy.
  const reached = RTT > 0 ? { ...registries.source, host: registries.source.delayed.host } : registries.source;
  const scratch = join(dir, mode, 'scratch');
  mkdirSync(scratch, { recursive: true });
  const proxy = await firstBytesProxy(registries.source.port);
  writeCredentials(registries, scratch, [registries.source.host, reached.host, proxy.host]);
  const env = { ...process.env, DOCKER_CONFIG: scratch, NO_COLOR: '1' };
  for (const k of Object.keys(env)) if (/^(https?_proxy|no_proxy|all_proxy)$/i.test(k)) delete env[k];
  const settings = registries.registrySettings;
  const host = reached.host;
  const catalogs = {
    small: catalogFor(subset(dataset, SMALL), host, join(dir, mode, 'small'), settings),
    large: catalogFor(dataset, host, join(dir, mode, 'large'), settings),
    first: catalogFor(subset(dataset, SMALL), proxy.host, join(dir, mode, 'first'), settings),
  };
  const cliArgs = registries.cliArgs;
  for (const catalog of Object.values(catalogs)) {
    await run([CLIS[0], ...cliArgs, 'apply', '--auto-approve', '-f', catalog.path], { env, cwd: catalog.dir });
  }
  return { mode, registries, reached, proxy, env, catalogs, cliArgs, dataset };
}

function scenarios(setups) {
  const list = [
    { name: 'node -e 0', run: () => run(['-e', '0']) },
    ...CLIS.map((cli, i) => ({ name: `cli${i} --version`, run: () => run([cli, '--version']) })),
  ];
  for (const s of setups) {
    for (const [i, cli] of CLIS.entries()) {
      const plan = (catalog, proxy) => () =>
        run([cli, ...s.cliArgs, 'plan', '--detailed-exitcode', '-f', catalog.path], {
          env: s.env,
          cwd: catalog.dir,
          proxy,
        });
      list.push({ name: `cli${i} ${s.mode} first-request ${SMALL}`, run: plan(s.catalogs.first, s.proxy) });
      list.push({ name: `cli${i} ${s.mode} plan ${SMALL}`, run: plan(s.catalogs.small) });
      list.push({ name: `cli${i} ${s.mode} plan ${TAGS}`, run: plan(s.catalogs.large) });
    }
    list.push({
      name: `floor ${s.mode} ${TAGS}`,
      run: async () => ({ wall: (await measureRegistryFloor(s.reached, s.dataset, 1)).wallSeconds }),
    });
  }
  return ONLY ? list.filter((s) => ONLY.test(s.name) || s.name === 'node -e 0') : list;
}

async function profile(setups, dir) {
  mkdirSync(dir, { recursive: true });
  for (const s of setups) {
    for (const [name, catalog] of [
      [`${s.mode}-${SMALL}`, s.catalogs.small],
      [`${s.mode}-${TAGS}`, s.catalogs.large],
    ]) {
      const profDir = join(dir, name);
      await run(['--cpu-prof', '--cpu-prof-dir', profDir, CLIS.at(-1), ...s.cliArgs, 'plan', '-f', catalog.path], {
        env: s.env,
        cwd: catalog.dir,
      });
      log(`profile of ${name} in ${profDir}`);
    }
  }
}

/**
 * Keeps the registries up and writes where they are to `file` (JSON), for ad-hoc runs, until interrupted. `bare`
 * runs the bare client on the large catalog's requests: `node <bare.client> <bare.job>`.
 */
async function serve(setups, file, dir) {
  const described = setups.map((s) => ({
    mode: s.mode,
    bare: { client: BARE_CLIENT, job: bareJobFile(s, join(dir, s.mode, 'bare-job.json')) },
    env: { DOCKER_CONFIG: s.env.DOCKER_CONFIG, NO_COLOR: '1' },
    cliArgs: s.cliArgs,
    catalogs: s.catalogs,
    registry: { host: s.reached.host, scheme: s.registries.source.scheme },
  }));
  writeFileSync(file, JSON.stringify(described, null, 2));
  log(`serving; described in ${file}; interrupt to stop`);
  await new Promise((ok) => process.once('SIGINT', ok).once('SIGTERM', ok));
}

function bareJobFile(setup, path) {
  writeFileSync(path, JSON.stringify(bareJob(setup.reached, setup.dataset)), { mode: 0o600 });
  return path;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'startup-profile-'));
  const dataset = benchDataset(TAGS, 50);
  const setups = [];
  try {
    for (const mode of MODES) {
      log(`setting up ${mode}`);
      setups.push(await setUp(mode, dir, dataset));
    }
    if (values.serve) return await serve(setups, values.serve, dir);
    const list = scenarios(setups);
    const results = new Map(list.map((s) => [s.name, { wall: [], first: [] }]));
    const loads = [];
    for (let round = 0; round < ROUNDS; round++) {
      loads.push(loadavg()[0]);
      for (const s of list) {
        const r = await s.run();
        results.get(s.name).wall.push(r.wall);
        if (r.firstRequest !== undefined) results.get(s.name).first.push(r.firstRequest);
      }
      log(`round ${round + 1}/${ROUNDS} load ${loads.at(-1).toFixed(2)}`);
    }
    console.log(`load average (1 min) per round: ${loads.map((l) => l.toFixed(2)).join(' ')}`);
    for (const [i, cli] of CLIS.entries()) console.log(`cli${i} = ${cli}`);
    for (const [name, r] of results) {
      const first = r.first.length > 0 ? `  first request ${median(r.first).toFixed(3)} s` : '';
      const runs = r.wall.map((w) => w.toFixed(3)).join(' ');
      console.log(`${name.padEnd(34)} median ${median(r.wall).toFixed(3)} s${first}   [${runs}]`);
    }
    for (const s of setups) {
      const floor = median(results.get(`floor ${s.mode} ${TAGS}`)?.wall ?? []);
      for (const i of CLIS.keys()) {
        const plan = median(results.get(`cli${i} ${s.mode} plan ${TAGS}`)?.wall ?? []);
        if (floor && plan) console.log(`cli${i} ${s.mode}: floor / plan = ${((100 * floor) / plan).toFixed(0)} %`);
      }
    }
    if (values['cpu-prof']) await profile(setups, resolve(values['cpu-prof']));
  } finally {
    for (const s of setups) {
      await s.proxy.stop();
      await s.registries.stop();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
