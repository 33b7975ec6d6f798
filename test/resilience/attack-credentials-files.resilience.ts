import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, openSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { insecure, Workspace } from '../helpers/workspace.js';
import { runCliMeasured } from './support/cli-process.js';
import { expectWithinMemory, PEAK_RSS_LIMIT_MB } from './support/hostile.js';
import { tally } from './support/run-context.js';

/** Where containers-auth.json(5) and docker look for credentials, as set up in a fresh home `home`. */
type Location = [name: string, file: (home: string) => string, env: (home: string) => NodeJS.ProcessEnv];

const LOCATIONS: Location[] = [
  [
    '$REGISTRY_AUTH_FILE',
    (home) => join(home, 'named.json'),
    (home) => ({ REGISTRY_AUTH_FILE: join(home, 'named.json') }),
  ],
  [
    '$XDG_RUNTIME_DIR/containers/auth.json',
    (home) => join(home, 'run', 'containers', 'auth.json'),
    (home) => ({ XDG_RUNTIME_DIR: join(home, 'run') }),
  ],
  ['~/.config/containers/auth.json', (home) => join(home, '.config', 'containers', 'auth.json'), () => ({})],
  [
    '$DOCKER_CONFIG/config.json',
    (home) => join(home, 'docker', 'config.json'),
    (home) => ({ DOCKER_CONFIG: join(home, 'docker') }),
  ],
  ['~/.docker/config.json', (home) => join(home, '.docker', 'config.json'), () => ({})],
  ['~/.dockercfg', (home) => join(home, '.dockercfg'), () => ({})],
];

/** Something at a credentials path that would hang, exhaust or loop a careless reader. */
type Plant = [name: string, plant: (path: string) => void, message?: RegExp];

const PLANTS: Plant[] = [
  ['a FIFO', (path) => execFileSync('mkfifo', [path])],
  [
    'a 1 GiB file',
    (path) => {
      const fd = openSync(path, 'w');
      ftruncateSync(fd, 1 << 30);
      closeSync(fd);
    },
    /the file is larger than 8 MiB; refused/,
  ],
  [
    'brackets nested 4 million deep, under the size limit',
    (path) => writeFileSync(path, `${'['.repeat(4_000_000)}${']'.repeat(4_000_000)}`),
    /nests more than 64 levels deep/,
  ],
  [
    'YAML brackets nested 300,000 deep behind a quote in a single-quoted string',
    (path) => writeFileSync(path, `a: '"'\nb: ${'['.repeat(300_000)}\n`),
    /nests more than 64 levels deep/,
  ],
  [
    'YAML of one double-quoted string of 8 MB',
    (path) => writeFileSync(path, `a: "${'x'.repeat(8_000_000)}"\n`),
    /more than 2 MiB of double-quoted strings/,
  ],
  [
    'YAML of 80,000 unknown tags on one line',
    (path) => writeFileSync(path, `a: [${Array.from({ length: 80_000 }, (_, i) => `!tag${i}`).join(',')}]\n`),
  ],
  [
    'YAML of a block scalar of 2 million lines',
    (path) => writeFileSync(path, `a: |\n${'  x\n'.repeat(2_000_000)}`),
    /too many YAML tokens/,
  ],
  ['a link to /dev/zero', (path) => symlinkSync('/dev/zero', path)],
  [
    'a symbolic link loop',
    (path) => {
      symlinkSync(`${path}.b`, path);
      symlinkSync(path, `${path}.b`);
    },
  ],
  ['a directory', (path) => mkdirSync(path)],
];

/** A registry that asks for credentials on every request, so that every source of them is read. */
function startAskingRegistry(): Promise<Server> {
  const server = createServer((_request, response) => {
    response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="attack"', 'Content-Type': 'application/json' });
    response.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** `plan` ends by itself at once, exit 1, with `message` if given, within the memory bound; the attack is counted. */
async function expectPlanEnds(work: Workspace, message: RegExp | undefined, env: NodeJS.ProcessEnv = {}) {
  const outcome = await runCliMeasured(['plan'], work.dir, {
    env,
    timeoutMs: 30_000,
    memoryLimitMb: 2 * PEAK_RSS_LIMIT_MB,
  });
  const output = `${outcome.stdout}${outcome.stderr}`;
  expect(outcome.stoppedBy, output).toBe('exit');
  expect(outcome.code, output).toBe(1);
  expect(output).not.toMatch(/internal error|\n {4}at /);
  if (message) expect(output).toMatch(message);
  expectWithinMemory(outcome);
  tally({ inputs: 1, attacks: 1 });
}

describe('hostile files where credentials are looked up: no hang, bounded memory, a clear error', () => {
  let server: Server;
  let host: string;

  beforeAll(async () => {
    server = await startAskingRegistry();
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const cases = LOCATIONS.flatMap((location) =>
    PLANTS.map((plant) => [location[0], plant[0], location, plant] as const),
  );

  it.each(cases)('%s is %s', async (_where, _what, [, file, env], [, plant, message]) => {
    const home = tempDir('imagestreams-attack-creds-home-').path;
    const path = file(home);
    mkdirSync(dirname(path), { recursive: true });
    plant(path);
    const work = new Workspace('imagestreams-attack-creds-');
    work.writeCatalog({ registries: insecure(host), streams: { app: { latest: { from: `${host}/org/app:1` } } } });
    await expectPlanEnds(work, message, { HOME: home, ...env(home) });
  });

  it.each(PLANTS)('the catalog’s auth.secret is %s', async (_what, plant, message) => {
    const work = new Workspace('imagestreams-attack-creds-secret-');
    plant(work.file('pull.json'));
    work.writeCatalog({
      registries: { [host]: { insecure: true, auth: { secret: 'pull.json' } } },
      streams: { app: { latest: { from: `${host}/org/app:1` } } },
    });
    await expectPlanEnds(work, message);
  });
});
