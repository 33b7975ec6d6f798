import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, callerEnv, REPO_ROOT } from '../helpers/cli.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { insecure, Workspace } from '../helpers/workspace.js';

const HOOKS = `export async function load(url, context, next) {
  if (url.startsWith('file:')) process.stderr.write('loaded ' + url + '\\n');
  return next(url, context);
}`;

/**
 * Loaded before the program: reports on stderr every file loaded as an ES module, and at exit every file required
 * (node_modules' CommonJS packages).
 */
const PRELOAD = `
  import { createRequire, register } from 'node:module';
  import { pathToFileURL } from 'node:url';
  register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}));
  process.on('exit', () => {
    for (const file of Object.keys(createRequire(process.execPath).cache)) {
      process.stderr.write('loaded ' + pathToFileURL(file).href + '\\n');
    }
  });`;

function loadedLines(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('loaded file:'))
    .map((line) => fileURLToPath(line.slice('loaded '.length)));
}

/** Every file of node_modules that importing a module of dist/ loads, as ES modules or required. */
function filesLoadedBy(distModule: string): string[] {
  const script = `${PRELOAD}
    await import(${JSON.stringify(join(REPO_ROOT, 'dist', distModule))});`;
  const { stderr } = spawnNode(['--input-type=module', '-e', script], REPO_ROOT);
  return loadedLines(stderr).filter((f) => f.includes('/node_modules/'));
}

/** Every file that running the package's bin (`node dist/bin/imagestreams.js ARGS`) in `cwd` loads. */
function filesLoadedByCli(args: string[], cwd: string): string[] {
  const preload = `data:text/javascript,${encodeURIComponent(PRELOAD)}`;
  return loadedLines(spawnNode(['--import', preload, CLI_PATH, ...args], cwd).stderr);
}

/** Runs node with `args` in `cwd` (also its HOME, so that no user configuration is read); fails unless it exits 0. */
function spawnNode(args: string[], cwd: string): { stderr: string } {
  const result = spawnSync(process.execPath, args, {
    cwd,
    env: { ...callerEnv(), HOME: cwd, NO_COLOR: '1' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  expect(result.status, result.stderr).toBe(0);
  return { stderr: result.stderr };
}

function filesOf(files: string[], name: string): string[] {
  return files.filter((f) => f.includes(`/node_modules/${name}/`));
}

/** A message of the YAML library's own, kept as written by any bundler: it marks the chunk that holds the library. */
const YAML_LIBRARY_TEXT = 'Source contains multiple documents';

/** The YAML library's files among `files`: its package in node_modules, or the chunk of the bin that holds it. */
function yamlLibraryFiles(files: string[]): string[] {
  return files.filter(
    (f) =>
      f.includes('/node_modules/yaml/') || (f.endsWith('.js') && readFileSync(f, 'utf8').includes(YAML_LIBRARY_TEXT)),
  );
}

describe("what the library's plan loads before its first request", () => {
  it('takes only the parts of undici the registry client uses, not its index (fetch, WebSocket, caches, mocks)', () => {
    const undici = filesOf(filesLoadedBy('operations/plan.js'), 'undici');
    expect(undici.filter((f) => f.endsWith('/undici/index.js'))).toEqual([]);
    expect(undici.length).toBeGreaterThan(0);
    expect(undici.length).toBeLessThan(150);
  });

  it('leaves semver and re2js, which only discovery and update use, until a catalog needs them', () => {
    const files = filesLoadedBy('cli/commands/plan.js');
    expect(filesOf(files, 'semver')).toEqual([]);
    expect(filesOf(files, 're2js')).toEqual([]);
  });
});

describe('the bundled bin', () => {
  const { registry, upstream } = useRegistry();
  const work = new Workspace('imagestreams-startup-');
  const bundleDir = join(REPO_ROOT, 'dist', 'bin');
  let plan: string[];

  beforeAll(async () => {
    await upstream.push('team/app', '1.0', { platforms: ['linux/amd64'] });
    work.writeCatalog({
      registries: insecure(registry.host),
      streams: { app: { '1.0': { from: `${registry.host}/team/app:1.0` } } },
    });
    plan = filesLoadedByCli(['plan'], work.dir);
  });

  it("is the package's bin, and runs our code from its chunks only, not from the modules tsc wrote", () => {
    expect(CLI_PATH).toBe(join(bundleDir, 'imagestreams.js'));
    const ours = plan.filter((f) => !f.includes('/node_modules/'));
    expect(ours).toContain(CLI_PATH);
    expect(ours.filter((f) => !f.startsWith(`${bundleDir}/`))).toEqual([]);
  });

  it("holds undici, yaml, commander and diff: a plan requires nothing from node_modules but ajv's helpers", () => {
    const packages = plan.filter((f) => f.includes('/node_modules/'));
    expect(packages.filter((f) => !f.includes('/node_modules/ajv/dist/runtime/'))).toEqual([]);
  });

  it('leaves semver and re2js, which only discovery and update use, out of a plan that needs neither', () => {
    expect(filesOf(plan, 'semver')).toEqual([]);
    expect(filesOf(plan, 're2js')).toEqual([]);
  });

  it('reads a catalog of plain block YAML and a JSON auth file without the YAML library: validate, plan, apply', () => {
    writeFileSync(work.file('auth.json'), JSON.stringify({ auths: {} }));
    for (const args of [['validate'], ['plan', '--authfile', 'auth.json'], ['apply', '--auto-approve']]) {
      expect(yamlLibraryFiles(filesLoadedByCli(args, work.dir)), args.join(' ')).toEqual([]);
    }
  });

  it('loads the YAML library it holds for a command that writes YAML', () => {
    const exported = yamlLibraryFiles(filesLoadedByCli(['export'], work.dir));
    expect(exported).toHaveLength(1);
    expect(exported[0]!.startsWith(`${bundleDir}/`)).toBe(true);
  });

  it('loads no command for --version, and nothing from node_modules', () => {
    const version = filesLoadedByCli(['--version'], work.dir);
    expect(version).toContain(CLI_PATH);
    expect(version.filter((f) => f.includes('/node_modules/'))).toEqual([]);
    expect(version.length).toBeLessThan(plan.length);
  });
});
