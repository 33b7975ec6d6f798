import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { writeImageLayout } from '../helpers/images.js';
import { Workspace } from '../helpers/workspace.js';
import { runCliMeasured } from './support/cli-process.js';
import { expectRefused } from './support/hostile.js';
import { treeSnapshot } from './support/no-change.js';
import { tally } from './support/run-context.js';

/**
 * A pull request catalog with a `Local` tag and no `local:` section (so the default store `.imagestreams/store`),
 * and something planted in the catalog's directory to make apply write elsewhere.
 */
type Plant = [name: string, plant: (dir: string, outside: string) => void, message: RegExp];

const STORE = ['.imagestreams', 'store'];
const storeDir = (dir: string, ...below: string[]) => join(dir, ...STORE, ...below);

const PLANTS: Plant[] = [
  [
    '.imagestreams a link to a directory outside',
    (dir, outside) => symlinkSync(outside, join(dir, '.imagestreams')),
    /\.imagestreams is a symbolic link/,
  ],
  [
    '.imagestreams/store a link to a directory outside',
    (dir, outside) => {
      mkdirSync(join(dir, '.imagestreams'));
      symlinkSync(outside, storeDir(dir));
    },
    /\.imagestreams\/store is a symbolic link/,
  ],
  [
    '.imagestreams/store a relative link climbing out',
    (dir) => {
      mkdirSync(join(dir, '.imagestreams'));
      symlinkSync('../../outside', storeDir(dir));
    },
    /\.imagestreams\/store is a symbolic link/,
  ],
  [
    '.imagestreams a file',
    (dir) => writeFileSync(join(dir, '.imagestreams'), 'x'),
    /\.imagestreams is not a directory/,
  ],
  [
    '.imagestreams/store a file',
    (dir) => {
      mkdirSync(join(dir, '.imagestreams'));
      writeFileSync(storeDir(dir), 'x');
    },
    /\.imagestreams\/store is not a directory/,
  ],
  [
    '.imagestreams/store a FIFO',
    (dir) => {
      mkdirSync(join(dir, '.imagestreams'));
      execFileSync('mkfifo', [storeDir(dir)]);
    },
    /\.imagestreams\/store is not a directory/,
  ],
  [
    "the stream's layout a link to a directory outside",
    (dir, outside) => {
      mkdirSync(storeDir(dir), { recursive: true });
      symlinkSync(outside, storeDir(dir, 'app'));
    },
    /symbolic link/,
  ],
  [
    "the stream's layout a link to /etc",
    (dir) => {
      mkdirSync(storeDir(dir), { recursive: true });
      symlinkSync('/etc', storeDir(dir, 'app'));
    },
    /symbolic link/,
  ],
  [
    "the layout's blobs a link to a directory outside",
    (dir, outside) => {
      mkdirSync(storeDir(dir, 'app'), { recursive: true });
      symlinkSync(outside, storeDir(dir, 'app', 'blobs'));
    },
    /symbolic link/,
  ],
  [
    "the layout's index.json a link to a file outside",
    (dir, outside) => {
      mkdirSync(storeDir(dir, 'app'), { recursive: true });
      symlinkSync(join(outside, 'victim.json'), storeDir(dir, 'app', 'index.json'));
    },
    /symbolic link/,
  ],
  [
    "the layout's oci-layout a FIFO",
    (dir) => {
      mkdirSync(storeDir(dir, 'app'), { recursive: true });
      execFileSync('mkfifo', [storeDir(dir, 'app', 'oci-layout')]);
    },
    /oci-layout/,
  ],
];

describe('a pull request cannot make apply write outside the catalog directory through the default local store', () => {
  const base = tempDir('imagestreams-attack-store-').path;
  const upstream = join(base, 'upstream');

  beforeAll(() => {
    writeImageLayout(upstream, { tags: { a: { platforms: ['linux/amd64', 'linux/arm64'] } } });
  });

  it.each(PLANTS)('%s: apply refuses the Local tag and writes nothing outside', async (_name, plant, message) => {
    const root = tempDir('imagestreams-attack-store-case-').path;
    const work = new Workspace('imagestreams-attack-store-work-');
    const outside = join(root, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'victim.json'), '{"untouched":true}\n');
    execFileSync('cp', ['-r', upstream, work.file('upstream')]);
    work.writeCatalog({
      streams: {
        app: { latest: { from: 'oci:upstream:a', referencePolicy: 'Local', importMode: 'PreserveOriginal' } },
      },
    });
    // The relative link of one case climbs from the store's parent to `outside`: put the workspace beside it.
    symlinkSync(outside, join(work.dir, '..', 'outside'), 'dir');
    plant(work.dir, outside);
    const outsideBefore = treeSnapshot(outside);
    const etcBefore = treeSnapshot('/etc/ssl');
    const outcome = await runCliMeasured(['apply', '--auto-approve'], work.dir, { timeoutMs: 30_000 });
    expect(outcome.stoppedBy, `${outcome.stdout}${outcome.stderr}`).toBe('exit');
    expect(outcome.code, `${outcome.stdout}${outcome.stderr}`).toBe(1);
    expect(`${outcome.stdout}${outcome.stderr}`).toMatch(message);
    expect(`${outcome.stdout}${outcome.stderr}`).not.toMatch(/internal error|\n {4}at /);
    expect(treeSnapshot(outside)).toEqual(outsideBefore);
    expect(treeSnapshot('/etc/ssl')).toEqual(etcBefore);
    rmSync(join(work.dir, '..', 'outside'));
    tally({ inputs: 1, attacks: 1 });
  });

  it('a plan refused for a link at .imagestreams changes no file at all', async () => {
    const work = new Workspace('imagestreams-attack-store-plan-');
    execFileSync('cp', ['-r', upstream, work.file('upstream')]);
    work.writeCatalog({ streams: { app: { latest: { from: 'oci:upstream:a', referencePolicy: 'Local' } } } });
    symlinkSync('/tmp', work.file('.imagestreams'));
    const before = treeSnapshot(work.dir);
    for (const command of [['validate'], ['plan'], ['apply', '--auto-approve']]) {
      expectRefused(
        await runCliMeasured(command, work.dir, { timeoutMs: 30_000 }),
        /imagestreams\.yaml:\d+:\d+: error: .*referencePolicy Local mirrors into \.imagestreams\/store .* \.imagestreams is a symbolic link/,
      );
    }
    expect(treeSnapshot(work.dir)).toEqual(before);
    tally({ attacks: 1 });
  });
});
