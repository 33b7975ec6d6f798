import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';

interface LockEntry {
  version?: string;
  dev?: boolean;
  devOptional?: boolean;
  [key: string]: unknown;
}

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  engines: Record<string, string>;
  license: string;
};

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * A project that depends on the packed tarball, with the lockfile npm would write for it: the runtime packages of
 * the repository's own lockfile. npm resolves a dependency without a lockfile from the registry's full metadata,
 * which an offline machine's cache does not hold; with the lockfile it needs only the cached package tarballs.
 */
function projectFor(tarball: string): string {
  const dir = tempDir('imagestreams-installed-').path;
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const runtime = Object.entries(lock.packages).filter(([path, e]) => path !== '' && !e.dev && !e.devOptional);
  const spec = `file:${tarball}`;
  const { version, license, dependencies, bin, engines } = manifest;
  const packages = {
    '': { dependencies: { imagestreams: spec } },
    'node_modules/imagestreams': { version, resolved: spec, license, dependencies, bin, engines },
    ...Object.fromEntries(runtime),
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true, dependencies: { imagestreams: spec } }));
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3, requires: true, packages }));
  return dir;
}

describe('the packed package, installed into an empty project', () => {
  let tarball: string;
  let project: string;
  const imagestreams = (args: string[], cwd = project) =>
    run(join(project, 'node_modules', '.bin', 'imagestreams'), args, cwd);

  beforeAll(() => {
    // dist/ is built before the end-to-end tests run; packing here must not rebuild it under the other tests.
    const packDir = tempDir('imagestreams-pack-').path;
    const packed = run('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir], REPO_ROOT);
    expect(packed.code, packed.stderr).toBe(0);
    tarball = join(packDir, packed.stdout.trim().split('\n').at(-1)!);
    project = projectFor(tarball);
    const installed = run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], project);
    expect(installed.code, installed.stderr).toBe(0);
  }, 180_000);

  it('holds the built program, the schemas and the licence, and no sources or tests', () => {
    const files = run('tar', ['-tzf', tarball], REPO_ROOT).stdout.split('\n');
    expect(files).toEqual(
      expect.arrayContaining([
        'package/dist/bin/imagestreams.js',
        'package/dist/index.js',
        'package/dist/index.d.ts',
        'package/schemas/imagestreams.schema.json',
        'package/LICENSE',
        'package/README.md',
      ]),
    );
    expect(files.filter((f) => /^package\/(src|test|bench|scripts)\//.test(f))).toEqual([]);
  });

  it('installs with its runtime dependencies only: no TypeScript, no build', () => {
    expect(existsSync(join(project, 'node_modules', 'typescript'))).toBe(false);
    expect(existsSync(join(project, 'node_modules', 'imagestreams', 'src'))).toBe(false);
    expect(existsSync(join(project, 'node_modules', 'imagestreams', 'dist', 'generated', 'catalog-validator.js'))).toBe(
      true,
    );
  });

  it('links imagestreams to the bundled program, dist/bin/imagestreams.js', () => {
    const linked = realpathSync(join(project, 'node_modules', '.bin', 'imagestreams'));
    expect(linked).toBe(realpathSync(join(project, 'node_modules', 'imagestreams', 'dist', 'bin', 'imagestreams.js')));
  });

  it('imagestreams --version prints the version of package.json', () => {
    expect(imagestreams(['--version'])).toMatchObject({ code: 0, stdout: `${manifest.version}\n` });
  });

  it("init writes a catalog whose modeline names the installed package's schema, relatively", () => {
    const result = imagestreams(['init']);
    expect(result.code, result.stderr).toBe(0);
    const modeline = readFileSync(join(project, 'imagestreams.yaml'), 'utf8').split('\n')[0];
    expect(modeline).toBe(
      '# yaml-language-server: $schema=./node_modules/imagestreams/schemas/imagestreams.schema.json',
    );
    expect(existsSync(join(project, 'node_modules/imagestreams/schemas/imagestreams.schema.json'))).toBe(true);
    expect(imagestreams(['validate']).code).toBe(0);
  });

  it.each([
    ['github', '.github/workflows/imagestreams.yml', 'github/imagestreams.yml'],
    ['gitlab', '.gitlab-ci.yml', 'gitlab/.gitlab-ci.yml'],
  ])('init --ci %s writes the recipe %s and the script it calls, as the package ships them', (ci, recipe, source) => {
    const repository = join(project, `repository-${ci}`);
    expect(run('git', ['init', '-q', repository], project).code).toBe(0);
    const result = imagestreams(['init', '--ci', ci], repository);
    expect(result.code, result.stderr).toBe(0);
    const shipped = (path: string) => readFileSync(join(REPO_ROOT, 'examples', 'ci', path), 'utf8');
    expect(readFileSync(join(repository, recipe), 'utf8')).toBe(shipped(source));
    expect(readFileSync(join(repository, 'ci', 'imagestreams-ci.sh'), 'utf8')).toBe(shipped('imagestreams-ci.sh'));
    expect(statSync(join(repository, 'ci', 'imagestreams-ci.sh')).mode & 0o100).toBe(0o100);
  });

  it("plans the repository's example catalog", () => {
    const example = join(project, 'example');
    cpSync(join(REPO_ROOT, 'examples', 'images'), join(example, 'examples', 'images'), { recursive: true });
    cpSync(join(REPO_ROOT, 'imagestreams.yaml'), join(example, 'imagestreams.yaml'));
    const result = imagestreams(['plan', '--no-color'], example);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Plan: 5 to import, 0 to re-import, 0 to remove.');
  });
});
