import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  closeSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { Workspace } from '../helpers/workspace.js';
import { type CliProcess, startCli } from './support/cli-process.js';
import { expectWithinMemory, useHostileRegistries } from './support/hostile.js';
import { tally } from './support/run-context.js';
import { CANARY } from './support/secrets.js';

/** Where the followed file is: the catalog's pull secret, the file --authfile names, or the user's docker config. */
type Target = 'secret' | 'authFile' | 'dockerConfig';

/**
 * What a followed file is turned into while watch runs, and the line it must log then, per target (none: not an
 * attack on that target). `restore` puts good credentials back; by default a new file is renamed over it.
 */
interface Attack {
  name: string;
  plant(path: string): void;
  logs: Partial<Record<Target, RegExp>>;
  restore?(path: string, good: string): void;
}

const invalid = (message: string) => new RegExp(`"type":"credentials-invalid".*: ${message}"`);
/** The same line for the files the user names or logs in to. */
const userFiles = (line: RegExp) => ({ authFile: line, dockerConfig: line });
const catalogInvalid = (message: string) => new RegExp(`"type":"catalog-invalid".*${message}`);
const RELOADED = /"type":"catalog-reloaded".*"credentials":\[/;

/** Puts `content` at `path` as a Secret update does: written beside it, then renamed over it. */
function publish(path: string, content: string): void {
  writeFileSync(`${path}.next-auth.json`, content);
  renameSync(`${path}.next-auth.json`, path);
}

/** Makes `plant` build its file beside `path`, then renames it over `path`, so that nothing else is seen between. */
function swapped(plant: (path: string) => void): (path: string) => void {
  return (path) => {
    const beside = `${path}.planted`;
    plant(beside);
    renameSync(beside, path);
  };
}

const ATTACKS: Attack[] = [
  {
    name: 'invalid JSON holding a password',
    plant: (path) => publish(path, `{"auths": {"h": {"username": "u", "password": "${CANARY.password}"`),
    logs: { secret: invalid('invalid JSON'), ...userFiles(invalid('invalid JSON')) },
  },
  {
    name: 'half-written, then completed in place',
    plant: (path) => writeFileSync(path, goodCredentials('half').slice(0, 30)),
    logs: { secret: invalid('invalid JSON'), ...userFiles(invalid('invalid JSON')) },
    restore: (path) => appendFileSync(path, goodCredentials('half').slice(30)),
  },
  {
    name: 'a 300 MiB file',
    plant: swapped((path) => {
      const fd = openSync(path, 'w');
      ftruncateSync(fd, 300 << 20);
      closeSync(fd);
    }),
    logs: {
      secret: invalid('the file is larger than 8 MiB; refused'),
      ...userFiles(invalid('the file is larger than 8 MiB; refused')),
    },
  },
  {
    name: 'brackets nested 4 million deep, under the size limit',
    plant: (path) => publish(path, `${'['.repeat(4_000_000)}${']'.repeat(4_000_000)}`),
    logs: {
      secret: invalid('the file nests more than 64 levels deep'),
      ...userFiles(invalid('the file nests more than 64 levels deep')),
    },
  },
  {
    name: 'deleted, then re-created',
    plant: (path) => rmSync(path),
    // Removing the docker config is a logout, not an attack.
    logs: { secret: invalid('the file does not exist'), authFile: invalid('the file does not exist') },
  },
  {
    name: 'a symbolic link to /dev/zero',
    plant: swapped((path) => symlinkSync('/dev/zero', path)),
    logs: {
      secret: catalogInvalid('leads through a symbolic link to /dev/zero, outside the catalog'),
      ...userFiles(invalid('it is a device')),
    },
  },
  {
    name: 'a FIFO',
    plant: swapped((path) => execFileSync('mkfifo', [path])),
    logs: { secret: catalogInvalid('must name a file, and \\S+ is not one'), ...userFiles(invalid('it is a FIFO')) },
  },
  {
    name: 'a symbolic link loop',
    plant: (path) => {
      rmSync(`${path}.loop`, { force: true });
      symlinkSync(path, `${path}.loop`);
      swapped((beside) => symlinkSync(`${path}.loop`, beside))(path);
    },
    logs: {
      secret: catalogInvalid('cannot be followed'),
      ...userFiles(invalid('the file cannot be read \\(ELOOP\\)')),
    },
  },
  {
    name: 'a directory',
    plant: (path) => {
      rmSync(path);
      mkdirSync(path);
    },
    logs: {
      secret: catalogInvalid('must name a file, and \\S+ is not one'),
      ...userFiles(invalid('it is a directory')),
    },
    restore: (path, good) => {
      rmSync(path, { recursive: true });
      publish(path, good);
    },
  },
  {
    name: 'a symbolic link to credentials outside the catalog’s directory',
    plant: (path) => {
      const outside = join(tempDir('imagestreams-attack-watch-outside-').path, 'secrets');
      mkdirSync(outside);
      writeFileSync(join(outside, 'pull.json'), goodCredentials('outside'));
      swapped((beside) => symlinkSync(join(outside, 'pull.json'), beside))(path);
    },
    logs: { secret: catalogInvalid('leads through a symbolic link to \\S+/secrets/pull.json, outside the catalog') },
  },
  ...(process.getuid?.() === 0
    ? []
    : [
        {
          name: 'unreadable (mode 000)',
          plant: (path: string) => chmodSync(path, 0),
          logs: {
            secret: invalid('the file cannot be read \\(permission denied\\)'),
            ...userFiles(invalid('the file cannot be read \\(permission denied\\)')),
          },
        },
      ]),
];

let host = '';

/** Docker config JSON giving the registry the canary username and a password of its own (`version`). */
function goodCredentials(version: string): string {
  const auth = Buffer.from(`${CANARY.username}:${CANARY.password}-${version}`).toString('base64');
  return JSON.stringify({ auths: { [host]: { auth } } });
}

/**
 * A workspace whose catalog follows one scheduled tag of the registry, with the credentials file of `target` (the
 * docker config in `secrets/`, as DOCKER_CONFIG names it, where the leak sweep expects credentials).
 */
function workspaceFor(target: Target): { work: Workspace; path: string; args: string[]; env: NodeJS.ProcessEnv } {
  const work = new Workspace('imagestreams-attack-watch-creds-');
  mkdirSync(work.file('secrets'));
  const paths: Record<Target, string> = {
    secret: work.file('secrets/pull.json'),
    authFile: work.file('auth.json'),
    dockerConfig: work.file('secrets/config.json'),
  };
  writeFileSync(paths[target], goodCredentials('start'));
  const auth = target === 'secret' ? { auth: { secret: 'secrets/pull.json' } } : {};
  work.writeCatalog({
    registries: { [host]: { insecure: true, ...auth } },
    streams: { app: { latest: { from: `${host}/org/app:1`, scheduled: true } } },
  });
  const args = ['watch', '--json', '--interval', '1h', ...(target === 'authFile' ? ['--authfile', 'auth.json'] : [])];
  return { work, path: paths[target], args, env: { DOCKER_CONFIG: work.file('secrets') } };
}

/**
 * Waits (30 s at most) for `watch` to log one more line matching `pattern` than `counts` says it has, and counts it.
 */
async function nextLine(watch: CliProcess, counts: Map<string, number>, pattern: RegExp, what: string): Promise<void> {
  const count = (counts.get(pattern.source) ?? 0) + 1;
  counts.set(pattern.source, count);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no line matching ${pattern} within 30 s`)), 30_000);
  });
  try {
    await Promise.race([watch.waitForLines(pattern, count), late]);
  } finally {
    clearTimeout(timer);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('watch following a credentials file that is attacked while it runs', () => {
  const startRegistry = useHostileRegistries();

  beforeAll(async () => {
    host = (await startRegistry({ challenge: 'Basic realm="attack"' })).host;
  });

  it.each(['secret', 'authFile', 'dockerConfig'] as const)(
    'the %s: each attack is reported naming the file, never its content; good credentials are taken back',
    async (target) => {
      const { work, path, args, env } = workspaceFor(target);
      const watch = startCli(args, work.dir, env);
      const memory = setInterval(() => watch.pollPeak(), 20);
      const counts = new Map<string, number>();
      try {
        await watch.waitForLines(/"type":"started"/);
        for (const [round, attack] of ATTACKS.entries()) {
          const expected = attack.logs[target];
          if (!expected) continue;
          attack.plant(path);
          await nextLine(watch, counts, expected, attack.name);
          const good = goodCredentials(String(round));
          (attack.restore ?? publish)(path, good);
          await nextLine(watch, counts, RELOADED, `${attack.name}, then good again`);
          tally({ inputs: 1, attacks: 1 });
        }
      } finally {
        clearInterval(memory);
        process.kill(watch.pid, 'SIGTERM');
      }
      const outcome = await watch.outcome;
      expect(outcome.stoppedBy).toBe('exit');
      expect(outcome.code, outcome.stderr).toBe(0);
      expect(outcome.stderr).not.toMatch(/internal error|\n {4}at /);
      expect(outcome.stderr).not.toContain(CANARY.password);
      expectWithinMemory(outcome);
    },
  );

  it('a pull secret rotated without a pause is taken while the rotation goes on', async () => {
    const { work, path, args } = workspaceFor('secret');
    const watch = startCli(args, work.dir);
    try {
      await watch.waitForLines(/"type":"started"/);
      await watch.waitForLines(/"type":"failed"/);
      await sleep(1_000);
      let reloaded = false;
      void watch.waitForLines(RELOADED).then(() => {
        reloaded = true;
      });
      const rotating = Date.now();
      for (let round = 0; !reloaded && Date.now() - rotating < 10_000; round++) {
        publish(path, goodCredentials(`rotation-${round}`));
        await sleep(5);
      }
      expect(reloaded, 'a reload within 10 s of rotation').toBe(true);
    } finally {
      process.kill(watch.pid, 'SIGTERM');
    }
    const outcome = await watch.outcome;
    expect(outcome.code, outcome.stderr).toBe(0);
    expectWithinMemory(outcome);
    tally({ inputs: 1, attacks: 1 });
  });
});
