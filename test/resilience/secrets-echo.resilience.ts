import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostileRegistry } from '../helpers/hostile-registry.js';
import { generatePki, type TestPki } from '../helpers/tls.js';
import { Workspace } from '../helpers/workspace.js';
import { type CliOutcome, runCliMeasured } from './support/cli-process.js';
import { type CredentialSource, type EchoAuth, echoCatalog, startEchoingRegistry } from './support/echoing-registry.js';
import { tally } from './support/run-context.js';
import { canariesIn } from './support/secrets.js';

let pki: TestPki;
const registries: HostileRegistry[] = [];

beforeAll(() => {
  pki = generatePki();
});

afterAll(async () => {
  await Promise.all(registries.map((r) => r.stop()));
});

const VARIANTS: [EchoAuth, CredentialSource][] = [
  ['basic', 'pull secret'],
  ['basic', 'authfile'],
  ['token', 'pull secret'],
  ['token', 'authfile'],
];

/** What the registry sent back in place of the credentials: the Authorization scheme, the secret redacted. */
const ECHOED = /denied: (?:Basic|Bearer) \[redacted\]/;

/** Runs a command, and checks that it ended by itself with `code`, saying the registry's words without secrets. */
async function run(workspace: Workspace, args: string[], code: number, expected: RegExp | null = ECHOED) {
  const outcome: CliOutcome = await runCliMeasured(args, workspace.dir, { timeoutMs: 60_000 });
  const output = `${outcome.stdout}${outcome.stderr}`;
  expect(outcome.stoppedBy, output).toBe('exit');
  expect(outcome.code, output).toBe(code);
  expect(canariesIn(output)).toEqual([]);
  if (expected) expect(output).toMatch(expected);
  return outcome;
}

describe.each(VARIANTS)(
  'a registry (%s auth) that echoes the credentials (from a %s) in its errors',
  (auth, source) => {
    it('has them redacted in every output: plans, saved plans, apply, the state, describe, show and watch logs', async () => {
      const registry = await startEchoingRegistry(pki, auth);
      registries.push(registry);
      const workspace = new Workspace('imagestreams-secrets-echo-');
      const { catalog, credentialArgs } = echoCatalog(workspace.dir, registry, pki, source);
      workspace.writeCatalog(catalog);

      const plan = await run(workspace, ['plan', ...credentialArgs], 1);
      expect(plan.stdout).toMatch(/denied:v1: access to \S+\/team\/denied:v1 is denied \(HTTP 403\): denied: /);
      const json = await run(workspace, ['plan', '--json', ...credentialArgs], 1);
      expect(JSON.parse(json.stdout).errors[0].message).toMatch(ECHOED);
      await run(workspace, ['plan', '--format', 'markdown', ...credentialArgs], 1);
      await run(workspace, ['plan', '--out', 'saved.plan', ...credentialArgs], 1);
      expect(canariesIn(readFileSync(workspace.file('saved.plan'), 'latin1'))).toEqual([]);

      await run(workspace, ['apply', '--auto-approve', ...credentialArgs], 1);
      const stateText = readFileSync(workspace.statePath, 'utf8');
      expect(canariesIn(stateText)).toEqual([]);
      const condition = workspace.state().streams.blobless!.tags.v1!.conditions[0]!;
      expect(condition.reason).toBe('Forbidden');
      expect(condition.message).toMatch(ECHOED);

      await run(workspace, ['describe', 'blobless:v1'], 0);
      await run(workspace, ['show'], 0, null);
      await run(workspace, ['show', 'blobless:v1', '--json'], 0, null);
      await run(workspace, ['watch', '--once', ...credentialArgs], 1);
      const watchJson = await run(workspace, ['watch', '--once', '--json', ...credentialArgs], 1);
      const failed = watchJson.stderr
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { type: string; message?: string })
        .filter((event) => event.type === 'failed');
      expect(failed.length).toBeGreaterThan(0);
      for (const event of failed) expect(event.message).toMatch(ECHOED);

      expect(canariesIn(readFileSync(workspace.statePath, 'utf8'))).toEqual([]);
      expect(registry.requests.some((r) => r.authorization !== undefined)).toBe(true);
      tally({ attacks: 1 });
    });
  },
);
