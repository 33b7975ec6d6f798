import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

const HOOKS = `export async function load(url, context, next) {
  if (url.includes('/node_modules/')) process.stderr.write(url + '\\n');
  return next(url, context);
}`;

/** Every file of node_modules that importing a module of dist/ loads, as ES modules or required. */
function filesLoadedBy(distModule: string): string[] {
  const script = `
    import { createRequire, register } from 'node:module';
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}));
    await import(${JSON.stringify(join(REPO_ROOT, 'dist', distModule))});
    process.stdout.write(Object.keys(createRequire(import.meta.url).cache).join('\\n'));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return out.split('\n').filter((f) => f.includes('/node_modules/'));
}

function filesOf(files: string[], name: string): string[] {
  return files.filter((f) => f.includes(`/node_modules/${name}/`));
}

describe('what a plan loads before its first request', () => {
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
