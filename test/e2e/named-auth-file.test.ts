import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Workspace } from '../helpers/workspace.js';

const DEMO = resolve('examples/images/demo');

/** A catalog that needs no credentials at all: its one tag imports from an OCI layout. */
function layoutWorkspace(): Workspace {
  const ws = new Workspace();
  cpSync(DEMO, ws.file('demo'), { recursive: true });
  ws.writeCatalog({ streams: { demo: { '1.0': { from: 'oci:demo:1.0' } } } });
  return ws;
}

describe('a named auth file that cannot be used fails the command at once, before any registry is asked', () => {
  it.each([
    ['plan', ['plan', '--authfile', 'missing.json']],
    ['apply', ['apply', '--auto-approve', '--authfile', 'missing.json']],
  ])('%s --authfile with a missing file', async (_command, args) => {
    const ws = layoutWorkspace();
    const result = await ws.expectRun(args, 1);
    expect(result.stderr).toBe(`error: --authfile ${ws.file('missing.json')}: the file does not exist\n`);
    expect(ws.stateBytes()).toBeUndefined();
  });

  it('REGISTRY_AUTH_FILE naming a directory', async () => {
    const ws = layoutWorkspace();
    mkdirSync(ws.file('auth-dir'));
    const result = await ws.expectRun(['plan'], 1, { env: { REGISTRY_AUTH_FILE: ws.file('auth-dir') } });
    expect(result.stderr).toBe(`error: REGISTRY_AUTH_FILE ${ws.file('auth-dir')}: it is a directory\n`);
  });
});

describe('a named auth file in YAML, which the bin reads with the YAML library before any command goes on', () => {
  it('is read, and the command goes on', async () => {
    const ws = layoutWorkspace();
    writeFileSync(ws.file('auth.yaml'), 'auths:\n  quay.io:\n    auth: dXNlcjpwYXNz\n');
    await ws.expectRun(['plan', '--authfile', ws.file('auth.yaml')], 0);
    await ws.expectRun(['plan'], 0, { env: { REGISTRY_AUTH_FILE: ws.file('auth.yaml') } });
  });

  it('fails the command at once when it is not valid YAML, located in the file named as it was given', async () => {
    const ws = layoutWorkspace();
    writeFileSync(ws.file('auth.yaml'), 'auths:\n  quay.io: [\n');
    const expected = (given: string) => `error: ${given} ${ws.file('auth.yaml')}:3:1: invalid YAML: bad indentation\n`;
    const fromFlag = await ws.expectRun(['plan', '--authfile', ws.file('auth.yaml')], 1);
    expect(fromFlag.stderr).toBe(expected('--authfile'));
    const fromEnv = await ws.expectRun(['plan'], 1, { env: { REGISTRY_AUTH_FILE: ws.file('auth.yaml') } });
    expect(fromEnv.stderr).toBe(expected('REGISTRY_AUTH_FILE'));
    expect(ws.stateBytes()).toBeUndefined();
  });
});
