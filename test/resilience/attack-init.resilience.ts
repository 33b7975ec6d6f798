import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runCliMeasured } from './support/cli-process.js';
import { expectRefused } from './support/hostile.js';
import { treeSnapshot } from './support/no-change.js';
import { tally } from './support/run-context.js';

/** A directory to init in, beside a directory outside it that must stay as it is. */
function scene(): { dir: string; outside: string } {
  const root = tempDir('imagestreams-attack-init-').path;
  const dir = join(root, 'repo');
  const outside = join(root, 'outside');
  mkdirSync(dir);
  mkdirSync(outside);
  writeFileSync(join(outside, 'victim'), 'untouched\n');
  return { dir, outside };
}

describe('init never writes outside its directory through a link it finds there', () => {
  it.each<[string, (dir: string, outside: string) => void, string[], RegExp]>([
    [
      '.gitignore a link to a file outside',
      (dir, outside) => symlinkSync(join(outside, 'victim'), join(dir, '.gitignore')),
      ['init'],
      /\.gitignore is a symbolic link, not a file; nothing was written/,
    ],
    [
      '.github a link to a directory outside (--ci github)',
      (dir, outside) => symlinkSync(outside, join(dir, '.github')),
      ['init', '--ci', 'github'],
      /\.github is a symbolic link; init writes only inside the directory; nothing was written/,
    ],
    [
      '.github/workflows a link to a directory outside (--ci github)',
      (dir, outside) => {
        mkdirSync(join(dir, '.github'));
        symlinkSync(outside, join(dir, '.github', 'workflows'));
      },
      ['init', '--ci', 'github'],
      /\.github\/workflows is a symbolic link; init writes only inside the directory; nothing was written/,
    ],
  ])('%s: exit 1, nothing written anywhere', async (_name, plant, args, message) => {
    const { dir, outside } = scene();
    plant(dir, outside);
    const before = { dir: treeSnapshot(dir), outside: treeSnapshot(outside) };
    expectRefused(await runCliMeasured(args, dir, { timeoutMs: 30_000 }), message);
    expect({ dir: treeSnapshot(dir), outside: treeSnapshot(outside) }).toEqual(before);
    tally({ attacks: 1 });
  });

  it.each([
    ['a link to a file outside', (outside: string) => join(outside, 'victim')],
    ['a dangling link to a new file outside', (outside: string) => join(outside, 'new.yaml')],
  ])('imagestreams.yaml %s is kept, never written through', async (_name, target) => {
    const { dir, outside } = scene();
    symlinkSync(target(outside), join(dir, 'imagestreams.yaml'));
    const before = treeSnapshot(outside);
    const outcome = await runCliMeasured(['init'], dir, { timeoutMs: 30_000 });
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toMatch(/kept imagestreams\.yaml/);
    expect(treeSnapshot(outside)).toEqual(before);
    tally({ attacks: 1 });
  });
});
