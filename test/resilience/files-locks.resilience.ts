import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { LockInfo } from '../../src/core/errors.js';
import type { State } from '../../src/core/state-model.js';
import { tempDir } from '../helpers/cli.js';
import { Workspace } from '../helpers/workspace.js';
import { runCliMeasured, startCli } from './support/cli-process.js';
import { Fleet } from './support/fleet.js';
import { expectRefused, runOnHostileInput } from './support/hostile.js';
import { treeSnapshot } from './support/no-change.js';
import { tally } from './support/run-context.js';

/** A catalog of three tags from a layout beside it (one scheduled, so that `watch --once` imports it). */
let workspace: Workspace;
let fleet: Fleet;
let lock: string;
const outside = tempDir('imagestreams-files-outside-').path;

beforeEach(() => {
  workspace = new Workspace('imagestreams-files-locks-');
  fleet = new Fleet(workspace.dir, 3, 1);
  workspace.writeCatalog(fleet.catalog());
  lock = `${workspace.statePath}.lock`;
});

/** Everything the commands could touch: the workspace and a directory outside it. */
function everything(): Map<string, string>[] {
  return [treeSnapshot(workspace.dir), treeSnapshot(outside)];
}

/** Commands that take the state lock. */
const LOCKING = [
  ['apply', '--auto-approve'],
  ['watch', '--once'],
  ['prune', '--confirm'],
];

const NOT_A_LOCK = (kind: string) =>
  new RegExp(
    `the state lock \\S+imagestreams\\.state\\.json\\.lock is ${kind}, not a lock file: imagestreams creates its lock as a regular file, and neither follows nor removes anything else there`,
  );

describe('something other than a lock file at the lock path: an error at once, never a spin; nothing written', () => {
  it.each<[string, () => void, string]>([
    ['a dangling symbolic link', () => symlinkSync(join(workspace.dir, 'nowhere'), lock), 'a symbolic link'],
    [
      'a symbolic link to a file outside the catalog directory',
      () => {
        writeFileSync(join(outside, 'victim'), 'precious\n');
        symlinkSync(join(outside, 'victim'), lock);
      },
      'a symbolic link',
    ],
    ['a directory', () => mkdirSync(lock), 'a directory'],
    ['a FIFO', () => expect(spawnSync('mkfifo', [lock]).status).toBe(0), 'a FIFO'],
  ])('%s', async (_name, plant, kind) => {
    plant();
    const before = everything();
    for (const args of LOCKING) {
      expectRefused(await runOnHostileInput(args, workspace.dir), NOT_A_LOCK(kind));
      expect(everything()).toEqual(before);
    }
    tally({ attacks: 1 });
  });
});

describe('a lock left by a process that is gone (a crashed watch, restarted)', () => {
  let stale: LockInfo;
  beforeEach(() => {
    stale = {
      id: '5ca1ab1e-0000-4000-8000-000000000000',
      operation: 'watch',
      who: `someone@${hostname()}`,
      pid: spawnSync(process.execPath, ['-e', '']).pid!,
      created: '2026-01-01T00:00:00.000Z',
      path: workspace.statePath,
    };
    writeFileSync(lock, `${JSON.stringify(stale, null, 2)}\n`);
  });

  it('watch --once and apply --lock-timeout do not wait for it: they fail naming force-unlock ID, and leave it', async () => {
    const before = everything();
    const watch = await runOnHostileInput(['watch', '--once'], workspace.dir);
    expectRefused(watch, new RegExp(`no longer running on this host .*imagestreams force-unlock ${stale.id}`));
    expect(watch.stderr).toMatch(
      / failed \(StateError\): the state \S+ is locked by a process that is no longer running/,
    );
    const apply = await runOnHostileInput(['apply', '--auto-approve', '--lock-timeout', '1h'], workspace.dir);
    expectRefused(apply, new RegExp(`PID: +${stale.pid} \\(not running on this host: the lock may be stale\\)`));
    expect(apply.stderr).toContain(`imagestreams force-unlock ${stale.id}`);
    expect(apply.stderr).not.toContain('waited');
    expect(everything()).toEqual(before);

    expect((await runCliMeasured(['force-unlock', stale.id], workspace.dir)).code).toBe(0);
    const after = await runCliMeasured(['watch', '--once'], workspace.dir);
    expect(after.code, after.stderr).toBe(0);
    expect(existsSync(lock)).toBe(false);
    tally({ attacks: 1 });
  });

  it('a long-running watch reports it as a failed check, keeps running, and recovers once it is removed', async () => {
    const watch = startCli(['watch', '--interval', '1s'], workspace.dir);
    try {
      await watch.waitForLines(new RegExp(`failed \\(StateError\\): .*imagestreams force-unlock ${stale.id}`));
      expect(JSON.parse(readFileSync(lock, 'utf8'))).toEqual(stale);
      expect((await runCliMeasured(['force-unlock', stale.id], workspace.dir)).code).toBe(0);
      await watch.waitForLines(/ imported sha256:/);
    } finally {
      await watch.kill();
    }
    tally({ attacks: 1 });
  });
});

describe('a state file that is a symbolic link is another name for its target', () => {
  it('apply writes through it: the target is replaced atomically, its .backup beside it; the link stays', async () => {
    expect((await runCliMeasured(['apply', '--auto-approve'], workspace.dir)).code).toBe(0);
    mkdirSync(join(workspace.dir, 'real'));
    const target = join(workspace.dir, 'real', 'state.json');
    renameSync(workspace.statePath, target);
    symlinkSync(join('real', 'state.json'), workspace.statePath);
    const first = readFileSync(target);
    fleet.publish(fleet.scheduledTags, 'v2');

    const apply = await runCliMeasured(['apply', '--auto-approve'], workspace.dir);
    expect(apply.code, apply.stderr).toBe(0);
    expect(readlinkSync(workspace.statePath)).toBe(join('real', 'state.json'));
    expect((JSON.parse(readFileSync(target, 'utf8')) as State).serial).toBe(
      (JSON.parse(first.toString('utf8')) as State).serial + 1,
    );
    expect(readFileSync(`${target}.backup`)).toEqual(first);
    expect(readdirSync(join(workspace.dir, 'real')).sort()).toEqual(['state.json', 'state.json.backup']);
    expect(readdirSync(workspace.dir).filter((name) => name.startsWith('imagestreams.state.json'))).toEqual([
      'imagestreams.state.json',
    ]);
    const plan = await runCliMeasured(['plan', '--detailed-exitcode'], workspace.dir);
    expect(plan.code, plan.stderr).toBe(0);
    tally({ attacks: 1 });
  });

  it('a .backup that is a symbolic link is replaced by the previous state; what it pointed to is untouched', async () => {
    expect((await runCliMeasured(['apply', '--auto-approve'], workspace.dir)).code).toBe(0);
    const first = readFileSync(workspace.statePath);
    writeFileSync(join(outside, 'backup-victim'), 'precious\n');
    rmSync(`${workspace.statePath}.backup`, { force: true });
    symlinkSync(join(outside, 'backup-victim'), `${workspace.statePath}.backup`);
    fleet.publish(fleet.scheduledTags, 'v2');

    expect((await runCliMeasured(['apply', '--auto-approve'], workspace.dir)).code).toBe(0);
    expect(readFileSync(join(outside, 'backup-victim'), 'utf8')).toBe('precious\n');
    expect(lstatSync(`${workspace.statePath}.backup`).isFile()).toBe(true);
    expect(readFileSync(`${workspace.statePath}.backup`)).toEqual(first);
    tally({ attacks: 1 });
  });
});
