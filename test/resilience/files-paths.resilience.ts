import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { State } from '../../src/core/state-model.js';
import { tempDir } from '../helpers/cli.js';
import { writeImageLayout } from '../helpers/images.js';
import { runCliMeasured } from './support/cli-process.js';
import { expectRefused, runOnHostileInput } from './support/hostile.js';
import { treeSnapshot } from './support/no-change.js';
import { tally } from './support/run-context.js';
import { canaryAuthFile } from './support/secrets.js';

/**
 * `root/repo/catalog` holds the catalog (and a layout of its own); `root/outside` is what a hostile catalog reaches
 * for: an image layout, a CA, a pull secret and a file to overwrite.
 */
const root = tempDir('imagestreams-files-paths-').path;
const dir = join(root, 'repo', 'catalog');
const outside = join(root, 'outside');
const OUT = '../../outside';
const catalogPath = join(dir, 'imagestreams.yaml');

const HEAD = 'apiVersion: imagestreams/v1\nkind: Catalog\n';
const TAG = 'streams:\n  app:\n    tags:\n      v1:\n        from: oci:layout:v1\n';
const LOCAL_TAG =
  'streams:\n  app:\n    tags:\n      v1:\n        from: oci:layout:v1\n        referencePolicy: Local\n';
const fromTag = (from: string) => `streams:\n  app:\n    tags:\n      v1:\n        from: ${from}\n`;

beforeAll(() => {
  mkdirSync(dir, { recursive: true });
  mkdirSync(join(outside, 'secrets'), { recursive: true });
  writeImageLayout(join(outside, 'layout'), { tags: { v1: { platforms: ['linux/amd64'] } } });
  writeImageLayout(join(dir, 'layout'), { tags: { v1: { platforms: ['linux/amd64'] } } });
  writeFileSync(join(outside, 'ca.pem'), 'not a certificate\n');
  writeFileSync(join(outside, 'victim'), 'precious\n');
  writeFileSync(join(outside, 'secrets', 'pull-secret.json'), canaryAuthFile(['registry.example']));
});

/** Only the catalog's own layout is kept between attacks. */
beforeEach(() => {
  for (const name of readdirSync(dir)) if (name !== 'layout') rmSync(join(dir, name), { recursive: true, force: true });
});

const ESCAPE =
  "(is|leads through a symbolic link to \\S+,) outside the catalog's directory \\S+; a catalog may only name paths " +
  'inside its own directory, unless the command line allows another with --allow-path DIR$';

/** The error for a path that leaves the catalog's directory, at `line:column` of the catalog. */
function escapeAt(at: string, subject: string): RegExp {
  return new RegExp(`^imagestreams\\.yaml:${at}: error: ${subject}: \\S+ ${ESCAPE}`, 'm');
}

type Escape = [name: string, plant: () => void, body: string, at: string, subject: string];

const DEFAULT_STATE = 'the state file \\(by default imagestreams\\.state\\.json\\)';
const none = () => {};
const link = (target: string, name: string) => () => symlinkSync(target, join(dir, name));

const ESCAPES: Escape[] = [
  [
    'an oci: source up out of the directory',
    none,
    fromTag(`oci:${OUT}/layout:v1`),
    '7:15',
    '"from" in streams.app.tags.v1',
  ],
  ['an absolute oci: source, /etc', none, fromTag('oci:/etc:x'), '7:15', '"from" in streams.app.tags.v1'],
  ['an oci: source in /proc/self', none, fromTag('oci:/proc/self:x'), '7:15', '"from" in streams.app.tags.v1'],
  ['an oci: source that is a device', none, fromTag('oci:/dev/zero'), '7:15', '"from" in streams.app.tags.v1'],
  ['the state file elsewhere', none, `state: ${OUT}/x.json\n${TAG}`, '3:8', '"state"'],
  ['the state file over a file elsewhere', none, `state: ${OUT}/victim\n${TAG}`, '3:8', '"state"'],
  ['local.layout elsewhere', none, `local:\n  layout: ${OUT}/store\n${LOCAL_TAG}`, '4:11', '"layout" in local'],
  [
    'a pull secret elsewhere',
    none,
    `registries:\n  registry.example:\n    auth:\n      secret: ${OUT}/secrets/pull-secret.json\n${TAG}`,
    '6:15',
    '"secret" in registries\\.registry\\.example\\.auth',
  ],
  [
    'a CA elsewhere',
    none,
    `registries:\n  registry.example:\n    ca: ${OUT}/ca.pem\n${TAG}`,
    '5:9',
    '"ca" in registries\\.registry\\.example',
  ],
  [
    'a client certificate and key elsewhere',
    none,
    `registries:\n  registry.example:\n    clientCert: ${OUT}/ca.pem\n    clientKey: /etc/ssl/private/key.pem\n${TAG}`,
    '5:17',
    '"clientCert" in registries\\.registry\\.example',
  ],
  [
    'an oci: source through a link in the catalog directory',
    link(join(outside, 'layout'), 'layout-link'),
    fromTag('oci:layout-link:v1'),
    '7:15',
    '"from" in streams.app.tags.v1',
  ],
  [
    'local.layout through a link in the catalog directory',
    link(join(outside, 'store'), 'store'),
    `local:\n  layout: store\n${LOCAL_TAG}`,
    '4:11',
    '"layout" in local',
  ],
  [
    'a CA through a linked directory in the catalog directory',
    link(outside, 'certs'),
    `registries:\n  registry.example:\n    ca: certs/ca.pem\n${TAG}`,
    '5:9',
    '"ca" in registries\\.registry\\.example',
  ],
  [
    'the default state file, a link to a file elsewhere',
    link(join(outside, 'victim'), 'imagestreams.state.json'),
    TAG,
    '1:1',
    DEFAULT_STATE,
  ],
  [
    'the default state file, a dangling link to elsewhere',
    link(join(outside, 'state.json'), 'imagestreams.state.json'),
    TAG,
    '1:1',
    DEFAULT_STATE,
  ],
];

describe("a catalog's paths stay inside its directory: validate, plan and apply refuse one that leaves it, writing nothing", () => {
  it.each(ESCAPES)('%s', async (_name, plant, body, at, subject) => {
    plant();
    writeFileSync(catalogPath, `${HEAD}${body}`);
    const message = escapeAt(at, subject);
    const before = treeSnapshot(root);
    for (const args of [['validate'], ['plan'], ['apply', '--auto-approve']]) {
      expectRefused(await runOnHostileInput(args, dir), message);
      expect(treeSnapshot(root)).toEqual(before);
    }
    tally({ attacks: 1 });
  });

  it('a FIFO as the state file inside the directory is refused without being read, not waited on', async () => {
    expect(spawnSync('mkfifo', [join(dir, 'state.fifo')]).status).toBe(0);
    writeFileSync(catalogPath, `${HEAD}state: state.fifo\n${TAG}`);
    const before = treeSnapshot(root);
    for (const args of [['plan'], ['apply', '--auto-approve'], ['show']]) {
      expectRefused(await runOnHostileInput(args, dir), /cannot read state file \S+state\.fifo: it is a FIFO$/m);
      expect(treeSnapshot(root)).toEqual(before);
    }
    tally({ attacks: 1 });
  });

  it('a catalog cannot allow itself more: there is no such setting', async () => {
    writeFileSync(catalogPath, `${HEAD}allowPath: [${OUT}]\n${fromTag(`oci:${OUT}/layout:v1`)}`);
    expectRefused(await runOnHostileInput(['plan'], dir), /^imagestreams\.yaml:3:1: error: unknown key "allowPath"/m);
    tally({ attacks: 1 });
  });

  it('import-image --from and tag refuse to write a path outside into the catalog; the catalog is unchanged', async () => {
    writeFileSync(catalogPath, `${HEAD}${TAG}`);
    const before = treeSnapshot(root);
    for (const args of [
      ['import-image', 'app:v2', `--from=oci:${OUT}/layout:v1`, '--confirm'],
      ['import-image', 'app:v2', '--from=oci:/etc:x', '--confirm', '--dry-run'],
      ['tag', 'oci:/proc/self:x', 'app:v3'],
    ]) {
      expectRefused(
        await runOnHostileInput(args, dir),
        new RegExp(`"from" in streams\\.app\\.tags\\.v[23]: \\S+ ${ESCAPE.replace('$', '')}`),
      );
      expect(treeSnapshot(root)).toEqual(before);
    }
    tally({ attacks: 1 });
  });
});

describe('--allow-path DIR on the command line allows exactly that directory', () => {
  it('lets plan and apply read a layout in it, before or after the command name; nothing in it is written', async () => {
    writeFileSync(catalogPath, `${HEAD}${fromTag(`oci:${OUT}/layout:v1`)}`);
    const outsideBefore = treeSnapshot(outside);
    expectRefused(
      await runOnHostileInput(['plan', '--allow-path', join(root, 'repo')], dir),
      escapeAt('7:15', '"from" in streams.app.tags.v1'),
    );
    const apply = await runCliMeasured(['apply', '--auto-approve', '--allow-path', OUT], dir);
    expect(apply.code, apply.stderr).toBe(0);
    const state = JSON.parse(readFileSync(join(dir, 'imagestreams.state.json'), 'utf8')) as State;
    expect(state.streams.app?.tags.v1?.items).toHaveLength(1);
    const plan = await runCliMeasured(['--allow-path', outside, 'plan', '--detailed-exitcode'], dir);
    expect(plan.code, plan.stderr).toBe(0);
    expect(treeSnapshot(outside)).toEqual(outsideBefore);
    tally({ attacks: 1 });
  });

  it('and nothing beside it: a second path elsewhere is still refused', async () => {
    mkdirSync(join(root, 'elsewhere'), { recursive: true });
    writeFileSync(join(root, 'elsewhere', 'ca.pem'), 'not a certificate\n');
    writeFileSync(
      catalogPath,
      `${HEAD}registries:\n  registry.example:\n    ca: ../../elsewhere/ca.pem\n${fromTag(`oci:${OUT}/layout:v1`)}`,
    );
    const before = treeSnapshot(root);
    const outcome = await runOnHostileInput(['apply', '--auto-approve', '--allow-path', OUT], dir);
    expectRefused(outcome, escapeAt('5:9', '"ca" in registries\\.registry\\.example'));
    expect(outcome.stderr).not.toMatch(/"from"/);
    expect(treeSnapshot(root)).toEqual(before);
    tally({ attacks: 1 });
  });

  it('lets import-image write a source in it into the catalog', async () => {
    writeFileSync(catalogPath, `${HEAD}${TAG}`);
    const result = await runCliMeasured(
      ['import-image', 'app:v2', `--from=oci:${OUT}/layout:v1`, '--confirm', '--allow-path', outside],
      dir,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(catalogPath, 'utf8')).toContain(`from: oci:${OUT}/layout:v1`);
  });

  it('is not needed for --state: a state file named on the command line is the user’s own choice', async () => {
    writeFileSync(catalogPath, `${HEAD}${TAG}`);
    const state = join(root, 'elsewhere-state', 'state.json');
    const result = await runCliMeasured(['apply', '--auto-approve', '--state', state], dir);
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(readFileSync(state, 'utf8')) as State).streams.app?.tags.v1).toBeDefined();
  });
});
