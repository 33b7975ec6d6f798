import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { Workspace } from '../helpers/workspace.js';
import { runCliMeasured } from './support/cli-process.js';
import { expectRefused } from './support/hostile.js';
import { treeSnapshot } from './support/no-change.js';
import { tally } from './support/run-context.js';
import { canariesIn, canaryAuthFile } from './support/secrets.js';

const REGISTRY = 'registry.example:5000';

describe('export of a catalog whose registry has a pull secret', () => {
  it('names the registry and never writes the secret’s bytes, on stdout or in the split files', async () => {
    const work = new Workspace('imagestreams-attack-export-secret-');
    mkdirSync(work.file('secrets'));
    writeFileSync(work.file('secrets/pull.dockerconfigjson'), canaryAuthFile([REGISTRY]));
    work.writeCatalog({
      registries: { [REGISTRY]: { auth: { secret: 'secrets/pull.dockerconfigjson' } } },
      streams: { app: { latest: { from: `${REGISTRY}/org/app:1`, scheduled: true } } },
    });
    const stdout = await runCliMeasured(['export', '--namespace', 'images'], work.dir);
    expect(stdout.code, stdout.stderr).toBe(0);
    expect(stdout.stdout).toMatch(new RegExp(REGISTRY));
    expect(canariesIn(`${stdout.stdout}${stdout.stderr}`)).toEqual([]);
    const split = await runCliMeasured(['export', '--namespace', 'images', '-o', 'cluster', '--split'], work.dir);
    expect(split.code, split.stderr).toBe(0);
    for (const file of readdirSync(work.file('cluster'))) {
      expect(canariesIn(readFileSync(join(work.file('cluster'), file), 'latin1')), file).toEqual([]);
    }
    tally({ attacks: 2 });
  });
});

describe('export -o DIR --split never writes through a link a pull request put in DIR', () => {
  let work: Workspace;
  let outside: string;

  beforeEach(() => {
    work = new Workspace('imagestreams-attack-export-split-');
    outside = tempDir('imagestreams-attack-export-outside-').path;
    writeFileSync(join(outside, 'victim'), 'untouched\n');
    work.writeCatalog({ streams: { app: { latest: { from: 'quay.io/org/app:1', scheduled: true } } } });
    mkdirSync(work.file('cluster'));
  });

  it.each([
    ['a stream’s file', 'app.yaml'],
    ['kustomization.yaml', 'kustomization.yaml'],
  ])('%s a link to a file outside: exit 1, the file outside untouched', async (_name, file) => {
    symlinkSync(join(outside, 'victim'), work.file(join('cluster', file)));
    const before = treeSnapshot(outside);
    const inside = treeSnapshot(work.dir);
    expectRefused(
      await runCliMeasured(['export', '-o', 'cluster', '--split'], work.dir),
      new RegExp(`cluster/${file.replace('.', '\\.')} is a symbolic link`),
    );
    expect(treeSnapshot(outside)).toEqual(before);
    expect(treeSnapshot(work.dir)).toEqual(inside);
    tally({ attacks: 1 });
  });

  it('a dangling link to a file outside is not created through', async () => {
    symlinkSync(join(outside, 'new-file'), work.file('cluster/app.yaml'));
    const before = treeSnapshot(outside);
    expectRefused(await runCliMeasured(['export', '-o', 'cluster', '--split'], work.dir), /is a symbolic link/);
    expect(treeSnapshot(outside)).toEqual(before);
    tally({ attacks: 1 });
  });
});
