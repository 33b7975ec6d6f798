import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { Workspace } from '../helpers/workspace.js';

const SCHEMA = join(REPO_ROOT, 'schemas', 'imagestreams.schema.json');

describe('imagestreams init', () => {
  it('creates the catalog and its .gitignore, saying so, and names the next step', async () => {
    const ws = new Workspace();
    const result = await ws.expectRun(['init'], 0);
    expect(result.stdout).toBe(
      [
        'created imagestreams.yaml',
        'created .gitignore',
        '',
        `The catalog's first line names its schema for editors: ${SCHEMA}`,
        'Next: add a tag, then plan and apply:',
        '  imagestreams import-image app:1.0 --from quay.io/org/app:1.0 --confirm',
        '',
      ].join('\n'),
    );
    expect(result.stderr).toBe('');
    expect(readFileSync(ws.catalogPath, 'utf8')).toMatch(/^# yaml-language-server: \$schema=.+\napiVersion/);
  });

  it('run again, keeps every file as it is and exits 0', async () => {
    const ws = new Workspace();
    await ws.expectRun(['init'], 0);
    const catalog = readFileSync(ws.catalogPath, 'utf8');
    const again = await ws.expectRun(['init'], 0);
    expect(again.stdout).toBe(
      'kept imagestreams.yaml (it exists; init replaces no file)\nkept .gitignore (it exists; init replaces no file)\n',
    );
    expect(readFileSync(ws.catalogPath, 'utf8')).toBe(catalog);
  });

  it('makes a catalog that tag edits and plan reads', async () => {
    const ws = new Workspace();
    cpSync(join(REPO_ROOT, 'examples', 'images', 'demo'), ws.file('images/demo'), { recursive: true });
    await ws.expectRun(['init'], 0);
    await ws.expectRun(['tag', 'oci:images/demo:1.0', 'demo:1.0'], 0);
    const plan = await ws.expectRun(['plan', '--no-color'], 0);
    expect(plan.stdout).toContain('+ demo:1.0  oci:images/demo:1.0');
    expect(readFileSync(ws.catalogPath, 'utf8').split('\n')[0]).toBe(`# yaml-language-server: $schema=${SCHEMA}`);
  });

  it('--schema writes the modeline given; -f puts the files beside that catalog', async () => {
    const ws = new Workspace();
    await ws.expectRun(['init', '-f', 'deploy/images.yaml', '--schema', './schema.json'], 0);
    expect(readFileSync(ws.file('deploy/images.yaml'), 'utf8').split('\n')[0]).toBe(
      '# yaml-language-server: $schema=./schema.json',
    );
    expect(existsSync(ws.file('deploy/.gitignore'))).toBe(true);
  });

  it('refuses an unknown CI system and a .gitignore that is a directory, writing nothing', async () => {
    const ws = new Workspace();
    const unknown = await ws.expectRun(['init', '--ci', 'jenkins'], 1);
    expect(unknown.stderr).toContain("error: option '--ci <system>' argument 'jenkins' is invalid");
    mkdirSync(ws.file('.gitignore'));
    const directory = await ws.expectRun(['init'], 1);
    expect(directory.stderr).toBe('error: .gitignore is a directory, not a file; nothing was written\n');
    expect(existsSync(ws.catalogPath)).toBe(false);
  });

  it('names the files of its errors from the working directory, as the other commands do', async () => {
    const ws = new Workspace();
    mkdirSync(ws.file('deploy/.gitignore'), { recursive: true });
    writeFileSync(ws.file('file'), '');
    const directory = await ws.expectRun(['init', '-f', 'deploy/images.yaml'], 1);
    expect(directory.stderr).toBe('error: deploy/.gitignore is a directory, not a file; nothing was written\n');
    const notADirectory = await ws.expectRun(['init', '-f', 'file/images.yaml'], 1);
    expect(notADirectory.stderr).toBe('error: cannot read file/.gitignore: a part of the path is not a directory\n');
  });
});

describe('imagestreams --version', () => {
  it.each(['--version', '-V'])('%s prints the version of package.json', async (flag) => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = await new Workspace().expectRun([flag], 0);
    expect(result.stdout).toBe(`${version}\n`);
  });
});
