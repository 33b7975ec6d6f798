import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INSTALLED_SCHEMA_PATH, schemaLocationFor } from '../../src/config/catalog-modeline.js';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import { initOperation } from '../../src/operations/init.js';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';

const SCHEMA = './schemas/imagestreams.schema.json';
const SCRIPT = '#!/usr/bin/env bash\n';

function directory(): { dir: string; read(name: string): string; catalog: string } {
  const dir = tempDir('imagestreams-init-').path;
  return { dir, catalog: join(dir, 'imagestreams.yaml'), read: (name) => readFileSync(join(dir, name), 'utf8') };
}

/** CI recipes as an installation holds them under examples/ci. */
function recipes(): string {
  const dir = tempDir('imagestreams-recipes-').path;
  mkdirSync(join(dir, 'github'));
  mkdirSync(join(dir, 'gitlab'));
  writeFileSync(join(dir, 'github', 'imagestreams.yml'), 'name: imagestreams\n');
  writeFileSync(join(dir, 'gitlab', '.gitlab-ci.yml'), 'stages: [plan, apply]\n');
  writeFileSync(join(dir, 'imagestreams-ci.sh'), SCRIPT);
  return dir;
}

describe('init', () => {
  it('creates a valid catalog whose first line names the schema, and a .gitignore', async () => {
    const { catalog, read } = directory();
    const result = await initOperation({ catalogPath: catalog, schema: SCHEMA });
    expect(result.files.map((f) => f.action)).toEqual(['created', 'created']);
    expect(read('imagestreams.yaml').split('\n')[0]).toBe(`# yaml-language-server: $schema=${SCHEMA}`);
    expect(parseCatalog(read('imagestreams.yaml'), catalog).tags).toEqual([]);
    expect(read('.gitignore')).toContain('/imagestreams.state.json.backup\n');
  });

  it("the .gitignore leaves out the state's backup, lock, journal and temp files, saved plans and the local store", async () => {
    const { dir, catalog } = directory();
    await initOperation({ catalogPath: catalog, schema: SCHEMA });
    const ignored = [
      'imagestreams.state.json.backup',
      'imagestreams.state.json.lock',
      'imagestreams.state.json.journal',
      '.imagestreams.state.json.0123456789ab.tmp',
      '.imagestreams.state.json.backup.0123456789ab.tmp',
      '.imagestreams.yaml.0123456789ab.tmp',
      'release.plan',
      '.imagestreams/store/demo/index.json',
    ];
    const kept = ['imagestreams.yaml', 'imagestreams.state.json', '.gitignore', 'examples/images/demo/index.json'];
    expect(spawnSync('git', ['init', '-q', dir]).status).toBe(0);
    const check = spawnSync('git', ['-C', dir, 'check-ignore', '--no-index', ...ignored, ...kept], {
      encoding: 'utf8',
    });
    expect(check.stdout.split('\n').filter(Boolean)).toEqual(ignored);
  });

  it('is safe to run again: existing files are kept byte for byte', async () => {
    const { catalog, read } = directory();
    await initOperation({ catalogPath: catalog, schema: SCHEMA });
    writeFileSync(catalog, 'apiVersion: imagestreams/v1\nkind: Catalog\nstreams: {} # mine\n');
    const again = await initOperation({ catalogPath: catalog, schema: SCHEMA });
    expect(again.files.map((f) => f.action)).toEqual(['kept', 'kept']);
    expect(read('imagestreams.yaml')).toBe('apiVersion: imagestreams/v1\nkind: Catalog\nstreams: {} # mine\n');
  });

  it('adds to an existing .gitignore only the lines it lacks', async () => {
    const { dir, catalog, read } = directory();
    writeFileSync(join(dir, '.gitignore'), 'node_modules/\n*.plan');
    const result = await initOperation({ catalogPath: catalog, schema: SCHEMA });
    expect(result.files[1]).toMatchObject({ action: 'extended' });
    expect(result.files[1]?.added).not.toContain('*.plan');
    const text = read('.gitignore');
    expect(text.startsWith('node_modules/\n*.plan\n# imagestreams:')).toBe(true);
    expect(text.match(/\*\.plan/g)).toHaveLength(1);
  });

  it('refuses a .gitignore that is a symbolic link or a directory, writing nothing', async () => {
    for (const make of [(path: string) => symlinkSync('/etc/hostname', path), (path: string) => mkdirSync(path)]) {
      const { dir, catalog } = directory();
      make(join(dir, '.gitignore'));
      await expect(initOperation({ catalogPath: catalog, schema: SCHEMA })).rejects.toThrow(
        /\.gitignore is a (symbolic link|directory), not a file; nothing was written/,
      );
      expect(() => readFileSync(catalog)).toThrow(/ENOENT/);
    }
  });

  it('shows the paths of its errors relative to cwd when given, else absolute', async () => {
    const { dir, catalog } = directory();
    mkdirSync(join(dir, '.gitignore'));
    await expect(initOperation({ catalogPath: catalog, schema: SCHEMA, cwd: dir })).rejects.toThrow(
      /^\.gitignore is a directory, not a file; nothing was written$/,
    );
    await expect(initOperation({ catalogPath: catalog, schema: SCHEMA })).rejects.toThrow(
      `${join(dir, '.gitignore')} is a directory`,
    );
  });

  it('creates the directory of a catalog in a new folder', async () => {
    const { dir, read } = directory();
    await initOperation({ catalogPath: join(dir, 'deploy', 'images.yaml'), schema: SCHEMA });
    expect(read('deploy/images.yaml')).toContain('kind: Catalog');
    expect(read('deploy/.gitignore')).toContain('/.images.yaml.*.tmp\n');
  });

  it.each([
    ['github', '.github/workflows/imagestreams.yml', 'name: imagestreams\n'],
    ['gitlab', '.gitlab-ci.yml', 'stages: [plan, apply]\n'],
  ] as const)(
    '--ci %s copies the recipe to %s and its script, executable, and keeps them when there',
    async (ci, target, text) => {
      const { dir, catalog, read } = directory();
      const recipesDir = recipes();
      const result = await initOperation({ catalogPath: catalog, schema: SCHEMA, ci, recipesDir });
      expect(result.files.slice(2)).toEqual([
        { path: join(dir, target), action: 'created' },
        { path: join(dir, 'ci', 'imagestreams-ci.sh'), action: 'created' },
      ]);
      expect(result.ci).toEqual({ provider: ci, root: dir, packages: [] });
      expect(read(target)).toBe(text);
      expect(read('ci/imagestreams-ci.sh')).toBe(SCRIPT);
      expect(statSync(join(dir, 'ci', 'imagestreams-ci.sh')).mode & 0o100).toBe(0o100);
      writeFileSync(join(dir, target), 'mine\n');
      writeFileSync(join(dir, 'ci', 'imagestreams-ci.sh'), 'mine too\n');
      await initOperation({ catalogPath: catalog, schema: SCHEMA, ci, recipesDir });
      expect(read(target)).toBe('mine\n');
      expect(read('ci/imagestreams-ci.sh')).toBe('mine too\n');
    },
  );

  it('--ci writes the recipe at the root of the git repository holding the catalog, and finds the packages there', async () => {
    const { dir } = directory();
    mkdirSync(join(dir, '.git'));
    mkdirSync(join(dir, 'ci'));
    for (const name of ['imagestreams-0.1.0.tgz', 'other-1.0.tgz', 'imagestreams-0.0.9.tgz']) {
      writeFileSync(join(dir, 'ci', name), '');
    }
    const catalogPath = join(dir, 'deploy', 'images.yaml');
    const result = await initOperation({ catalogPath, schema: SCHEMA, ci: 'gitlab', recipesDir: recipes() });
    expect(result.files.map((f) => f.path)).toEqual([
      catalogPath,
      join(dir, 'deploy', '.gitignore'),
      join(dir, '.gitlab-ci.yml'),
      join(dir, 'ci', 'imagestreams-ci.sh'),
    ]);
    expect(result.ci).toEqual({
      provider: 'gitlab',
      root: dir,
      packages: ['imagestreams-0.0.9.tgz', 'imagestreams-0.1.0.tgz'],
    });
  });

  it('--ci without the recipe in the installation is an error naming it, and writes nothing', async () => {
    const { catalog } = directory();
    const recipesDir = tempDir('imagestreams-no-recipes-').path;
    await expect(initOperation({ catalogPath: catalog, ci: 'gitlab', recipesDir })).rejects.toThrow(
      `this installation has no gitlab CI recipe: ${join(recipesDir, 'gitlab', '.gitlab-ci.yml')} does not exist; nothing was written`,
    );
    expect(() => readFileSync(catalog)).toThrow(/ENOENT/);
  });
});

describe("the new catalog's schema location", () => {
  it('is relative to the imagestreams package Node finds from the catalog: a project dependency', () => {
    const project = tempDir('imagestreams-project-').path;
    const pkg = join(project, 'node_modules', 'imagestreams');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({ name: 'imagestreams', exports: { './package.json': './package.json' } }),
    );
    mkdirSync(join(project, 'deploy'));
    expect(schemaLocationFor(project)).toBe('./node_modules/imagestreams/schemas/imagestreams.schema.json');
    expect(schemaLocationFor(join(project, 'deploy'))).toBe(
      '../node_modules/imagestreams/schemas/imagestreams.schema.json',
    );
  });

  it('is relative inside the imagestreams repository itself', () => {
    expect(schemaLocationFor(REPO_ROOT)).toBe('./schemas/imagestreams.schema.json');
    expect(schemaLocationFor(join(REPO_ROOT, 'examples', 'catalogs'))).toBe('../../schemas/imagestreams.schema.json');
  });

  it("is the installation's own schema, absolute, where no project has imagestreams", () => {
    expect(schemaLocationFor(tempDir('imagestreams-elsewhere-').path)).toBe(INSTALLED_SCHEMA_PATH);
    expect(readFileSync(INSTALLED_SCHEMA_PATH, 'utf8')).toContain('"$id": "https://');
  });
});
